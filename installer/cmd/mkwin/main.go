// Command mkwin builds mindful's Windows release (a zip and a per-user MSI,
// see installer/winpkg) from a cross-built mindful.exe; `make dist` runs it:
//
//	go run ./installer/cmd/mkwin -exe dist/windows/mindful.exe -version 0.1.0 -out dist
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mindful-app/mindful/installer/winpkg"
)

func main() {
	exe := flag.String("exe", "", "the cross-built `EXE` to package")
	version := flag.String("version", "", "release `VERSION` (x.y.z)")
	out := flag.String("out", "dist", "output `DIR`")
	flag.Parse()
	if *exe == "" || *version == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: mkwin -exe EXE -version VERSION [-out DIR]")
		os.Exit(2)
	}
	r, err := winpkg.Build(winpkg.Options{Exe: *exe, Version: *version, OutDir: *out})
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkwin:", err)
		os.Exit(1)
	}
	fmt.Println(r.Zip)
	fmt.Println(r.MSI)
}
