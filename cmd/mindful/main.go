// Command mindful is the one mindful binary: the daemon (mindful run) and
// its command-line client. All the work happens in the packages it calls.
package main

import (
	"os"

	"github.com/mindful-app/mindful/cmd/mindful/internal/cli"
	"github.com/mindful-app/mindful/installer"
)

func main() {
	// On Windows, `mindful uninstall` run from the installed copy hands
	// the removal of that copy to a copy of itself (installer.RemoveAfterExit).
	if installer.IsRemoverInvocation(os.Args[1:]) {
		os.Exit(installer.RunRemover(os.Args[1:], os.Stderr))
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
