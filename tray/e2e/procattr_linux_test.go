package e2e

import "syscall"

// childAttr makes a child end with the test: should the test binary die
// without its cleanups (a panic, a timeout), no Xvfb, bus or daemon is
// left behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
