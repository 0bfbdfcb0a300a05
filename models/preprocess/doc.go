// Package preprocess turns image bytes from outside into model input tensors.
//
// Decode sniffs the format from the bytes (JPEG, PNG, GIF, BMP, WebP), checks the declared size
// against Limits before decoding anything, and applies the EXIF orientation of JPEGs, so the
// returned image is upright. ToUint8 and ToFloat32 then resample it straight into an NHWC RGB
// tensor with the bilinear semantics of TensorFlow's tf.image.resize (half-pixel centres, no
// antialiasing), stretched or letterboxed, and return the Transform that maps tensor coordinates
// back onto the image. Recycle hands a decoded image's pixels back for the next decode.
//
// Alpha is ignored, as TensorFlow's decode_image(channels=3) and the tfjs nodes ignore it: a
// pixel's colour is its stored straight (non-premultiplied) colour. Premultiplied images are
// un-premultiplied first, so a fully transparent pixel of one of them reads as black.
package preprocess
