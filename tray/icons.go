package tray

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"sync"
)

// The icons are drawn here rather than shipped as files: a coloured disc
// with a white sign, one per state.
//
//	normal     teal disc, a small white dot (a calm breath)
//	paused     amber disc, two white bars (pause)
//	break      indigo disc, a white crescent moon
//	attention  red disc, a white "!"

// iconSize is the side of the PNGs; panels scale them down.
const iconSize = 64

// icoSizes are the sides of the images in an ICO, each drawn at its size:
// the notification area's small icon (16, 20 and 24 at 100–150 % scaling)
// and the large one (32), which Windows scales from when it must.
var icoSizes = []int{16, 20, 24, 32, 48, 64}

var (
	iconOnce sync.Once
	// iconPNGs and iconICOs are never freed or changed: getlantern/systray
	// hands the bytes to GTK without copying them.
	iconPNGs, iconICOs [NumIcons][]byte
)

func drawIcons() {
	for i := range NumIcons {
		iconPNGs[i] = encodeIcon(drawIcon(i, iconSize))
		imgs := make([]*image.NRGBA, len(icoSizes))
		for j, s := range icoSizes {
			imgs[j] = drawIcon(i, s)
		}
		iconICOs[i] = encodeICO(imgs)
	}
}

// IconPNG returns the PNG of an icon.
func IconPNG(id IconID) []byte {
	iconOnce.Do(drawIcons)
	if id < 0 || id >= NumIcons {
		id = IconNormal
	}
	return iconPNGs[id]
}

// IconICO returns an icon as a Windows .ico file: 32-bit images with an
// alpha channel in the sizes of icoSizes.
func IconICO(id IconID) []byte {
	iconOnce.Do(drawIcons)
	if id < 0 || id >= NumIcons {
		id = IconNormal
	}
	return iconICOs[id]
}

// TrayIcon returns an icon in the format the system tray of goos takes:
// systray hands Windows' LoadImage a file, which must be an ICO there;
// GTK and Cocoa read the PNG.
func TrayIcon(goos string, id IconID) []byte {
	if goos == "windows" {
		return IconICO(id)
	}
	return IconPNG(id)
}

// shape reports whether a point (in units of the icon's side, 0..1) is
// inside a shape.
type shape func(x, y float64) bool

func disc(cx, cy, r float64) shape {
	return func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r }
}

func rect(x0, y0, x1, y1 float64) shape {
	return func(x, y float64) bool { return x >= x0 && x <= x1 && y >= y0 && y <= y1 }
}

func union(ss ...shape) shape {
	return func(x, y float64) bool {
		for _, s := range ss {
			if s(x, y) {
				return true
			}
		}
		return false
	}
}

func minus(a, b shape) shape {
	return func(x, y float64) bool { return a(x, y) && !b(x, y) }
}

// drawIcon draws an icon size pixels square.
func drawIcon(id IconID, size int) *image.NRGBA {
	var bg color.NRGBA
	var sign shape
	switch id {
	case IconPaused:
		bg = color.NRGBA{0xE0, 0x8E, 0x0B, 0xFF}
		sign = union(rect(0.36, 0.30, 0.45, 0.70), rect(0.55, 0.30, 0.64, 0.70))
	case IconBreak:
		bg = color.NRGBA{0x43, 0x38, 0xCA, 0xFF}
		sign = minus(disc(0.50, 0.50, 0.25), disc(0.62, 0.41, 0.22))
	case IconAttention:
		bg = color.NRGBA{0xDC, 0x26, 0x26, 0xFF}
		sign = union(rect(0.45, 0.22, 0.55, 0.60), disc(0.50, 0.72, 0.065))
	default:
		bg = color.NRGBA{0x0F, 0x9F, 0x8F, 0xFF}
		sign = disc(0.50, 0.50, 0.13)
	}
	back := disc(0.5, 0.5, 0.47)
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // supersampling per axis, for smooth edges
	for py := range size {
		for px := range size {
			var inBack, inSign int
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					if back(x, y) {
						inBack++
						if sign(x, y) {
							inSign++
						}
					}
				}
			}
			if inBack == 0 {
				continue
			}
			// Mix white into the disc colour by the sign's coverage, and
			// let the disc's coverage set the alpha.
			f := float64(inSign) / float64(inBack)
			mix := func(a, b uint8) uint8 { return uint8(math.Round(float64(a)*(1-f) + float64(b)*f)) }
			img.SetNRGBA(px, py, color.NRGBA{
				R: mix(bg.R, white.R), G: mix(bg.G, white.G), B: mix(bg.B, white.B),
				A: uint8(math.Round(255 * float64(inBack) / ss / ss)),
			})
		}
	}
	return img
}

func encodeIcon(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // cannot happen with an in-memory buffer
	}
	return buf.Bytes()
}

// encodeICO writes images (square, at most 256 pixels) as an ICO file. Each
// image is a bottom-up 32-bit BGRA DIB with straight alpha, followed by the
// 1-bit AND mask (set where the pixel is fully transparent) that older
// readers use; the DIB header's height counts both, as the format wants.
//
//	ICONDIR        reserved 0, type 1, count                 6 bytes
//	ICONDIRENTRY   w, h, colours 0, 0, planes 1, bpp 32,
//	               size, offset                               16 bytes each
//	image          BITMAPINFOHEADER (40 bytes), BGRA rows, mask rows
func encodeICO(imgs []*image.NRGBA) []byte {
	le := binary.LittleEndian
	var dir, data []byte
	dir = le.AppendUint16(dir, 0)
	dir = le.AppendUint16(dir, 1)
	dir = le.AppendUint16(dir, uint16(len(imgs)))
	offset := 6 + 16*len(imgs)
	for _, img := range imgs {
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		maskStride := (w + 31) / 32 * 4
		var b []byte
		b = le.AppendUint32(b, 40)          // biSize
		b = le.AppendUint32(b, uint32(w))   // biWidth
		b = le.AppendUint32(b, uint32(2*h)) // biHeight: colour and mask
		b = le.AppendUint16(b, 1)           // biPlanes
		b = le.AppendUint16(b, 32)          // biBitCount
		b = le.AppendUint32(b, 0)           // biCompression: BI_RGB
		b = le.AppendUint32(b, uint32(w*h*4+maskStride*h))
		b = append(b, make([]byte, 16)...) // resolution, palette: unused
		for y := h - 1; y >= 0; y-- {
			for x := range w {
				c := img.NRGBAAt(x, y)
				b = append(b, c.B, c.G, c.R, c.A)
			}
		}
		for y := h - 1; y >= 0; y-- {
			row := make([]byte, maskStride)
			for x := range w {
				if img.NRGBAAt(x, y).A == 0 {
					row[x/8] |= 0x80 >> (x % 8)
				}
			}
			b = append(b, row...)
		}
		side := func(n int) byte { return byte(n % 256) } // 256 is written as 0
		dir = append(dir, side(w), side(h), 0, 0)
		dir = le.AppendUint16(dir, 1)
		dir = le.AppendUint16(dir, 32)
		dir = le.AppendUint32(dir, uint32(len(b)))
		dir = le.AppendUint32(dir, uint32(offset+len(data)))
		data = append(data, b...)
	}
	return append(dir, data...)
}
