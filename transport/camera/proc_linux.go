package camera

import "syscall"

// childAttr makes the kernel stop the helper if visiond dies without stopping it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
