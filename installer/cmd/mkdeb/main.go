// Command mkdeb builds mindful's .deb from a release binary with dpkg-deb
// (see installer/deb); `make dist` runs it:
//
//	go run ./cmd/mindful/internal/gendocs -out dist/share
//	go run ./installer/cmd/mkdeb -bin dist/mindful -share dist/share -version 0.1.0 -out dist
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mindful-app/mindful/installer/deb"
)

func main() {
	bin := flag.String("bin", "", "the release `BINARY` to package")
	share := flag.String("share", "", "`DIR` of the man page and completions (go run ./cmd/mindful/internal/gendocs -out DIR)")
	version := flag.String("version", "", "package `VERSION`, the binary's (e.g. 0.1.0)")
	arch := flag.String("arch", "", "Debian `ARCH` (default: this machine's GOARCH as Debian names it)")
	out := flag.String("out", "dist", "output `DIR`")
	flag.Parse()
	if *bin == "" || *share == "" || *version == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: mkdeb -bin BINARY -share DIR -version VERSION [-arch ARCH] [-out DIR]")
		os.Exit(2)
	}
	p, err := deb.Build(deb.Options{Binary: *bin, Share: *share, Version: *version, Arch: *arch, OutDir: *out})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkdeb:", err)
		os.Exit(1)
	}
	fmt.Println(p)
}
