//go:build cgo

package turbo

/*
#define _GNU_SOURCE
#include <dlfcn.h>
#include <turbojpeg.h>
#if defined(__has_include)
#if __has_include(<jconfig.h>)
#include <jconfig.h>
#endif
#endif
#define VISIOND_STR2(x) #x
#define VISIOND_STR(x) VISIOND_STR2(x)

static const char *turbo_version(void) {
#ifdef LIBJPEG_TURBO_VERSION
	return VISIOND_STR(LIBJPEG_TURBO_VERSION);
#else
	return "";
#endif
}

static const char *turbo_library(void) {
	Dl_info info;
	if (dladdr((void *)tjInitDecompress, &info) == 0 || info.dli_fname == NULL) {
		return "";
	}
	return info.dli_fname;
}
*/
import "C"

// Version returns the libjpeg-turbo version visiond was built against (from the headers,
// "2.1.5"; empty when they do not say) and the file of the library the process runs with.
func Version() (version, library string) {
	return C.GoString(C.turbo_version()), C.GoString(C.turbo_library())
}
