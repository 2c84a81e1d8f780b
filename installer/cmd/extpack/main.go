// Command extpack writes the unpacked extensions dist/chrome and
// dist/firefox and a zip of each; `make ext` runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mindful-app/mindful/installer/extpack"
)

func main() {
	src := flag.String("src", "extension", "extension source `DIR`")
	out := flag.String("out", "dist", "output `DIR`")
	flag.Parse()
	ver, err := extpack.Version(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "extpack:", err)
		os.Exit(1)
	}
	for _, b := range extpack.Browsers {
		dir := filepath.Join(*out, b)
		if err := extpack.Build(*src, dir, b, ""); err != nil {
			fmt.Fprintf(os.Stderr, "extpack: %s: %v\n", b, err)
			os.Exit(1)
		}
		zip := filepath.Join(*out, fmt.Sprintf("mindful-%s-%s.zip", b, ver))
		if err := extpack.Zip(dir, zip); err != nil {
			fmt.Fprintf(os.Stderr, "extpack: %s: %v\n", b, err)
			os.Exit(1)
		}
		fmt.Printf("%s\n%s\n", dir, zip)
	}
}
