// Package version names this build of visiond. Release builds stamp both values at link time:
//
//	go build -ldflags "-X github.com/visiond/visiond/internal/version.Version=1.2.0 -X github.com/visiond/visiond/internal/version.Commit=abc123"
package version

var (
	// Version is the release version, or "dev" for an unstamped build.
	Version = "dev"
	// Commit is the source revision the build came from, empty when unknown.
	Commit = ""
)
