package installer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// RemoverArg, as the first argument, makes the binary the remover that
// RemoveAfterExit starts (see IsRemoverInvocation).
const RemoverArg = "--mindful-remove-after-exit"

// IsRemoverInvocation reports whether args (without the program name) are
// those RemoveAfterExit starts a copy of mindful with.
func IsRemoverInvocation(args []string) bool {
	return len(args) > 0 && args[0] == RemoverArg
}

// RunRemover is the copy's side of RemoveAfterExit: args are RemoverArg,
// the handle of the process to wait for, the file to remove and the
// directories to remove after it if they are empty. Problems go to w; the
// result is the exit code.
func RunRemover(args []string, w io.Writer) int {
	if !IsRemoverInvocation(args) || len(args) < 3 {
		fmt.Fprintf(w, "usage: mindful %s HANDLE FILE [DIR...]\n", RemoverArg)
		return 2
	}
	if err := waitForProcess(args[1]); err != nil {
		fmt.Fprintln(w, "mindful remover:", err)
		return 1
	}
	// The image may stay locked a moment after its process has ended
	// (virus scanners, the loader): try again for a while.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := os.Remove(args[2])
		if err == nil || errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(w, "mindful remover:", err)
			return 1
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, d := range args[3:] {
		os.Remove(d) // only if empty
	}
	return 0
}
