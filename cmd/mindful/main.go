// Command mindful is the one mindful binary: the daemon (mindful run) and
// its command-line client. All the work happens in the packages it calls.
package main

import (
	"os"

	"github.com/mindful-app/mindful/cmd/mindful/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
