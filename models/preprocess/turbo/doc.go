// Package turbo decodes JPEGs through libjpeg-turbo's TurboJPEG API, scaling in the inverse DCT
// so that a photo much larger than a model's input is decoded straight to 1/2, 1/4 or 1/8 of its
// size at a fraction of a full decode's cost.
//
// It is the only package that links libturbojpeg, through cgo: building it needs the Debian
// package libturbojpeg0-dev, and running it libturbojpeg0. Without cgo the package is empty, and
// callers use the pure-Go decoder of package preprocess instead.
//
// DecodeScaled returns the pixels as stored: it neither reads nor applies the EXIF orientation.
package turbo
