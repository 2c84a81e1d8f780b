//go:build !windows

package installer

import "errors"

// RemoveAfterExit is only needed on Windows: elsewhere a running
// executable can be removed like any file.
func RemoveAfterExit(exe string, dirs []string) error {
	return errors.New("removing after exit is for Windows only")
}

func waitForProcess(handle string) error {
	return errors.New("waiting on a process handle is for Windows only")
}
