//go:build windows

package installer

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// RemoveAfterExit removes exe, the running executable, once this process
// has exited, and then the directories dirs if they are empty: Windows will
// not delete the image of a running program. It hands that last step to a
// copy of exe in the temp directory, which waits on a handle of this
// process. The copy runs from a file opened delete-on-close and inherited
// by the copy, so Windows deletes it as the copy exits: nothing is left.
func RemoveAfterExit(exe string, dirs []string) error {
	tmp, err := os.CreateTemp("", "mindful-remove-*.exe")
	if err != nil {
		return err
	}
	src, err := os.Open(exe)
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("copy %s to %s: %w", exe, tmp.Name(), err)
	}
	name, err := windows.UTF16PtrFromString(tmp.Name())
	if err != nil {
		return err
	}
	sa := &windows.SecurityAttributes{InheritHandle: 1}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	copyHandle, err := windows.CreateFile(name, windows.GENERIC_READ, windows.FILE_SHARE_READ|windows.FILE_SHARE_DELETE,
		sa, windows.OPEN_EXISTING, windows.FILE_FLAG_DELETE_ON_CLOSE, 0)
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("open %s: %w", tmp.Name(), err)
	}
	defer windows.CloseHandle(copyHandle) // the copy holds its own
	me := windows.CurrentProcess()
	var self windows.Handle
	if err := windows.DuplicateHandle(me, me, me, &self, windows.SYNCHRONIZE, true, 0); err != nil {
		return fmt.Errorf("DuplicateHandle: %w", err)
	}
	defer windows.CloseHandle(self)
	args := append([]string{RemoverArg, strconv.FormatUint(uint64(self), 10), exe}, dirs...)
	cmd := exec.Command(tmp.Name(), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		AdditionalInheritedHandles: []syscall.Handle{syscall.Handle(copyHandle), syscall.Handle(self)},
		CreationFlags:              windows.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", tmp.Name(), err)
	}
	return cmd.Process.Release()
}

// waitForProcess waits until the process whose (inherited) handle is h
// has ended.
func waitForProcess(h string) error {
	v, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		return fmt.Errorf("process handle %q: %w", h, err)
	}
	ev, err := windows.WaitForSingleObject(windows.Handle(v), windows.INFINITE)
	if err != nil {
		return fmt.Errorf("wait for process: %w", err)
	}
	if ev != windows.WAIT_OBJECT_0 {
		return fmt.Errorf("wait for process: event %#x", ev)
	}
	return nil
}
