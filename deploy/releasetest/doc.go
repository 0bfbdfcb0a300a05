// Package releasetest checks what `make dist` and `make image` produce, from the outside: the
// release tarballs (contents, checksums, SBOM, install.sh), the arm64 build under qemu, and the
// container image under podman. Its tests carry the build tag "release" and run from the make
// targets test-dist, test-arm64 and test-image, after the artifacts are built.
package releasetest
