// Command gendocs writes what the Debian package installs under /usr/share,
// made from the command line's own definitions: the man page mindful(1)
// and the bash, zsh and fish completion scripts. `make dist` runs it:
//
//	go run ./cmd/mindful/internal/gendocs -out dist/share
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/mindful-app/mindful/cmd/mindful/internal/cli"
)

func main() {
	out := flag.String("out", "dist/share", "output `DIR` (laid out as /usr/share)")
	date := flag.String("date", "", "the man page's `DATE` (default: SOURCE_DATE_EPOCH, else today)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gendocs [-out DIR] [-date YYYY-MM-DD]")
		os.Exit(2)
	}
	if *date == "" {
		t := time.Now()
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			var secs int64
			if _, err := fmt.Sscan(s, &secs); err == nil {
				t = time.Unix(secs, 0)
			}
		}
		*date = t.UTC().Format(time.DateOnly)
	}
	if err := cli.WriteShare(*out, *date); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
