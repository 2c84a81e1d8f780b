// Command extpack writes the unpacked extensions dist/chrome and
// dist/firefox, a zip of each, the Firefox add-on
// dist/mindful-firefox-VERSION.xpi and the source archive
// dist/mindful-source-VERSION.zip that Firefox add-on review asks for;
// `make ext` runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mindful-app/mindful/installer/extpack"
)

func main() {
	src := flag.String("src", "extension", "extension source `DIR` (its parent is the module root)")
	out := flag.String("out", "dist", "output `DIR`")
	version := flag.String("version", "", "extension `VERSION` (1 to 4 numbers, a leading v is dropped); default: the one in manifests/base.json")
	flag.Parse()
	if err := run(*src, *out, strings.TrimPrefix(*version, "v")); err != nil {
		fmt.Fprintln(os.Stderr, "extpack:", err)
		os.Exit(1)
	}
}

func run(src, out, ver string) error {
	if ver == "" {
		v, err := extpack.Version(src)
		if err != nil {
			return err
		}
		ver = v
	}
	for _, b := range extpack.Browsers {
		dir := filepath.Join(out, b)
		if err := extpack.Build(src, dir, b, ver); err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
		zip := filepath.Join(out, fmt.Sprintf("mindful-%s-%s.zip", b, ver))
		if err := extpack.Zip(dir, zip); err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
		fmt.Printf("%s\n%s\n", dir, zip)
		if b == "firefox" {
			xpi := filepath.Join(out, fmt.Sprintf("mindful-firefox-%s.xpi", ver))
			if err := extpack.Zip(dir, xpi); err != nil {
				return fmt.Errorf("%s: %w", b, err)
			}
			fmt.Println(xpi)
		}
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	srcZip := filepath.Join(out, fmt.Sprintf("mindful-source-%s.zip", ver))
	if err := extpack.SourceZip(filepath.Dir(abs), srcZip, ver); err != nil {
		return err
	}
	fmt.Println(srcZip)
	return nil
}
