//go:build release

package releasetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/visiond/visiond/internal/testenv"
)

// arm64CPUInfo is a Raspberry Pi 4 style /proc/cpuinfo with two cores. ONNX Runtime reads
// /proc/cpuinfo to pick its kernels; under qemu-user it would read the host's x86 file and
// crash, so the harness shows it this one. A real Pi needs nothing of the sort.
func arm64CPUInfo() string {
	var b strings.Builder
	for i := range 2 {
		fmt.Fprintf(&b, "processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\n"+
			"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n", i)
	}
	return b.String()
}

// qemuCommand returns a command running the arm64 program bin with args under
// qemu-aarch64-static, in a private mount namespace where /proc/cpuinfo is arm64's. The
// program's libraries come from Debian's arm64 packages (multiarch, /lib/aarch64-linux-gnu),
// loaded by their own ld.so: qemu's -L with the cross toolchain's older libc beside them hangs.
func qemuCommand(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	qemu := testenv.Tool(t, "qemu-aarch64-static", "qemu-user-static")
	unshare := testenv.Tool(t, "unshare", "util-linux")
	if os.Geteuid() != 0 {
		t.Skip("binding an arm64 /proc/cpuinfo over the host's needs root (unshare -m)")
	}
	if _, err := os.Stat("/lib/ld-linux-aarch64.so.1"); err != nil {
		t.Fatal("the arm64 C library is missing (make test-arm64 installs libc6:arm64 libstdc++6:arm64 libturbojpeg0:arm64)")
	}
	cpuinfo := filepath.Join(t.TempDir(), "cpuinfo")
	if err := os.WriteFile(cpuinfo, []byte(arm64CPUInfo()), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `mount --bind "$0" /proc/cpuinfo && q=$1 && shift && exec "$q" "$@"`
	return exec.Command(unshare, append([]string{"-m", "sh", "-c", script, cpuinfo, qemu, bin}, args...)...)
}
