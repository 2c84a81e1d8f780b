package tray

import (
	"bytes"
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

var (
	iconOnce sync.Once
	// iconPNGs is never freed or changed: getlantern/systray hands the
	// bytes to GTK without copying them.
	iconPNGs [NumIcons][]byte
)

// IconPNG returns the PNG of an icon.
func IconPNG(id IconID) []byte {
	iconOnce.Do(func() {
		for i := range NumIcons {
			iconPNGs[i] = encodeIcon(drawIcon(i))
		}
	})
	if id < 0 || id >= NumIcons {
		id = IconNormal
	}
	return iconPNGs[id]
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

func drawIcon(id IconID) *image.NRGBA {
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
	img := image.NewNRGBA(image.Rect(0, 0, iconSize, iconSize))
	const ss = 4 // supersampling per axis, for smooth edges
	for py := range iconSize {
		for px := range iconSize {
			var inBack, inSign int
			for sy := range ss {
				for sx := range ss {
					x := (float64(px) + (float64(sx)+0.5)/ss) / iconSize
					y := (float64(py) + (float64(sy)+0.5)/ss) / iconSize
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
