package tray

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"image/png"
	"testing"
)

// icoImage is one image read back from an ICO file.
type icoImage struct {
	w, h int
	px   []color.NRGBA // top-down
	mask []bool        // top-down, true where the AND mask says transparent
}

// decodeICO reads an ICO file of 32-bit BI_RGB images as Windows'
// LoadImage does: the directory, then each entry's DIB and AND mask.
func decodeICO(t *testing.T, b []byte) []icoImage {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 6 || le.Uint16(b[0:]) != 0 || le.Uint16(b[2:]) != 1 {
		t.Fatalf("not an ICO header: % x", b[:min(6, len(b))])
	}
	n := int(le.Uint16(b[4:]))
	var out []icoImage
	for i := range n {
		e := b[6+16*i : 6+16*(i+1)]
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = 256
		}
		if h == 0 {
			h = 256
		}
		if planes, bpp := le.Uint16(e[4:]), le.Uint16(e[6:]); planes != 1 || bpp != 32 {
			t.Fatalf("image %d: planes %d, %d bpp", i, planes, bpp)
		}
		size, off := int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
		if off+size > len(b) {
			t.Fatalf("image %d: %d bytes at %d run past the file (%d)", i, size, off, len(b))
		}
		d := b[off : off+size]
		if hs, dw, dh := le.Uint32(d[0:]), int(le.Uint32(d[4:])), int(le.Uint32(d[8:])); hs != 40 || dw != w || dh != 2*h {
			t.Fatalf("image %d: header %d, %dx%d; want 40, %dx%d", i, hs, dw, dh, w, 2*h)
		}
		if bpp, comp := le.Uint16(d[14:]), le.Uint32(d[16:]); bpp != 32 || comp != 0 {
			t.Fatalf("image %d: DIB of %d bpp, compression %d", i, bpp, comp)
		}
		stride := (w + 31) / 32 * 4
		if want := 40 + 4*w*h + stride*h; size != want {
			t.Fatalf("image %d: %d bytes, want %d", i, size, want)
		}
		img := icoImage{w: w, h: h, px: make([]color.NRGBA, w*h), mask: make([]bool, w*h)}
		for y := range h {
			row := d[40+4*w*(h-1-y):]
			mrow := d[40+4*w*h+stride*(h-1-y):]
			for x := range w {
				p := row[4*x:]
				img.px[y*w+x] = color.NRGBA{R: p[2], G: p[1], B: p[0], A: p[3]}
				img.mask[y*w+x] = mrow[x/8]&(0x80>>(x%8)) != 0
			}
		}
		out = append(out, img)
	}
	return out
}

func TestIconICO(t *testing.T) {
	seen := map[string]IconID{}
	for id := range NumIcons {
		b := IconICO(id)
		imgs := decodeICO(t, b)
		if len(imgs) != len(icoSizes) {
			t.Fatalf("icon %v: %d images, want %d", id, len(imgs), len(icoSizes))
		}
		for i, img := range imgs {
			s := icoSizes[i]
			if img.w != s || img.h != s {
				t.Errorf("icon %v image %d is %dx%d, want %dx%d", id, i, img.w, img.h, s, s)
				continue
			}
			want := drawIcon(id, s)
			for y := range s {
				for x := range s {
					got := img.px[y*s+x]
					if w := want.NRGBAAt(x, y); got != w {
						t.Fatalf("icon %v %dpx at (%d,%d) = %v, want %v (rows upside down?)", id, s, x, y, got, w)
					}
					if img.mask[y*s+x] != (got.A == 0) {
						t.Fatalf("icon %v %dpx at (%d,%d): mask %v with alpha %d", id, s, x, y, img.mask[y*s+x], got.A)
					}
				}
			}
			// Transparent corner, opaque disc: the drawing is there.
			if img.px[0].A != 0 || !img.mask[0] {
				t.Errorf("icon %v %dpx: corner not transparent", id, s)
			}
			if c := img.px[(s/8)*s+s/2]; c.A != 0xff {
				t.Errorf("icon %v %dpx: disc not opaque at the top (alpha %d)", id, s, c.A)
			}
		}
		if other, ok := seen[string(b)]; ok {
			t.Errorf("icons %v and %v are the same", id, other)
		}
		seen[string(b)] = id
	}
}

func TestTrayIconFormat(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "freebsd"} {
		if _, err := png.Decode(bytes.NewReader(TrayIcon(goos, IconBreak))); err != nil {
			t.Errorf("%s: tray icon is not a PNG: %v", goos, err)
		}
	}
	if got := TrayIcon("windows", IconBreak); !bytes.Equal(got, IconICO(IconBreak)) {
		t.Errorf("windows: tray icon is not the ICO (starts % x)", got[:8])
	}
}
