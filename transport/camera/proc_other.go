//go:build !linux

package camera

import "syscall"

// childAttr has nothing to add where the kernel cannot stop a child with its parent; the
// helper then ends when its writes to visiond fail.
func childAttr() *syscall.SysProcAttr { return nil }
