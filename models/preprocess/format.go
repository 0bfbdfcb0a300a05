package preprocess

import (
	"bytes"
	"fmt"
)

// Format is an image file format that Decode reads.
type Format string

// The formats Decode reads.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	BMP  Format = "bmp"
	WebP Format = "webp"
)

// sniff finds the format from the leading bytes (the magic numbers), never from a name or a
// declared content type.
func sniff(b []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF, nil
	case bytes.HasPrefix(b, []byte("BM")):
		return BMP, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		// A VP8X chunk first, with its animation flag set, starts an animated WebP.
		if len(b) >= 21 && string(b[12:16]) == "VP8X" && b[20]&0x02 != 0 {
			return "", fmt.Errorf("%w: animated WebP", ErrUnsupportedFormat)
		}
		return WebP, nil
	}
	if name := unsupported(b); name != "" {
		return "", fmt.Errorf("%w: %s", ErrUnsupportedFormat, name)
	}
	return "", fmt.Errorf("%w: not a JPEG, PNG, GIF, BMP or WebP image", ErrBadImage)
}

// unsupported names the image formats that clients are likely to send but Decode does not read.
func unsupported(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "TIFF"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return fmt.Sprintf("ISO media file of brand %q (HEIF, AVIF or video)", b[8:12])
	case bytes.HasPrefix(b, []byte("\xff\x0a")), bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cJXL \r\n\x87\n")):
		return "JPEG XL"
	case bytes.HasPrefix(b, []byte("\xff\x4f\xff\x51")), bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cjP  \r\n\x87\n")):
		return "JPEG 2000"
	case bytes.HasPrefix(b, []byte("8BPS")):
		return "Photoshop"
	case bytes.HasPrefix(b, []byte("qoif")):
		return "QOI"
	}
	return ""
}
