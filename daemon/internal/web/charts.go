package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are inline SVG, drawn on the server: readable with no script, in
// light and dark schemes (colours come from the stylesheet's variables),
// and not by colour alone (each series also has its own pattern, and the
// legend and an accessible table name them).

// Series is one stacked series. Key names its CSS class (s-KEY) and its
// pattern.
type Series struct {
	Key   string
	Label string
}

// StackedChart is a bar per x value (a day), stacked by series.
type StackedChart struct {
	ID     string // unique in the page; prefixes pattern ids
	Title  string
	Desc   string
	YLabel string
	Series []Series
	X      []string    // labels of the bars (e.g. "23 Nov")
	Values [][]float64 // Values[i][j]: bar i, series j
	Empty  string      // said when every value is zero
}

// Chart geometry, in SVG user units.
const (
	chartW   = 760
	chartH   = 300
	marginL  = 52
	marginR  = 12
	marginT  = 16
	marginB  = 52
	legendH  = 28
	hbarRowH = 30
)

// niceMax returns a round upper bound ≥ max and a tick step for about n ticks.
func niceMax(max float64, n int) (top, step float64) {
	if max <= 0 {
		return float64(n), 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	if step < 1 {
		step = 1
	}
	top = math.Ceil(max/step) * step
	return top, step
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// patterns writes one pattern per series: solid, hatched, dotted, crossed.
func patterns(b *strings.Builder, id string, series []Series) {
	b.WriteString("<defs>")
	for j, s := range series {
		pid := fmt.Sprintf("%s-p%d", id, j)
		fmt.Fprintf(b, `<pattern id="%s" width="8" height="8" patternUnits="userSpaceOnUse">`, pid)
		fmt.Fprintf(b, `<rect width="8" height="8" class="s-%s"/>`, esc(s.Key))
		switch j % 4 {
		case 1:
			b.WriteString(`<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" class="mark"/>`)
		case 2:
			b.WriteString(`<circle cx="4" cy="4" r="1.4" class="dot"/>`)
		case 3:
			b.WriteString(`<path d="M0,0 l8,8 M8,0 l-8,8" class="mark"/>`)
		}
		b.WriteString(`</pattern>`)
	}
	b.WriteString("</defs>")
}

// legend draws swatches with labels across the top.
func legend(b *strings.Builder, id string, series []Series, y float64) {
	x := float64(marginL)
	for j, s := range series {
		fmt.Fprintf(b, `<rect x="%.0f" y="%.0f" width="14" height="14" fill="url(#%s-p%d)" class="swatch"/>`, x, y, id, j)
		fmt.Fprintf(b, `<text x="%.0f" y="%.0f" class="legend">%s</text>`, x+20, y+12, esc(s.Label))
		x += 20 + 7.4*float64(len(s.Label)) + 22
	}
}

// SVG renders the chart.
func (c StackedChart) SVG() template.HTML {
	var b strings.Builder
	h := float64(chartH + legendH)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %.0f" role="img" aria-labelledby="%s-t %s-d">`, chartW, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	patterns(&b, c.ID, c.Series)
	legend(&b, c.ID, c.Series, 2)

	max := 0.0
	for _, row := range c.Values {
		sum := 0.0
		for _, v := range row {
			sum += v
		}
		max = math.Max(max, sum)
	}
	top, step := niceMax(max, 4)
	x0, y0 := float64(marginL), float64(legendH+marginT)
	pw, ph := float64(chartW-marginL-marginR), float64(chartH-marginT-marginB)
	ybase := y0 + ph
	// Grid and y axis.
	for v := 0.0; v <= top+step/2; v += step {
		y := ybase - v/top*ph
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, x0, x0+pw, y, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick" text-anchor="end">%s</text>`, x0-6, y+4, fmtNum(v))
	}
	fmt.Fprintf(&b, `<text transform="translate(14 %.1f) rotate(-90)" class="axis" text-anchor="middle">%s</text>`, y0+ph/2, esc(c.YLabel))
	// Bars.
	n := len(c.X)
	if n > 0 {
		slot := pw / float64(n)
		bw := math.Max(1, slot*0.72)
		every := 1 + (n-1)/10 // at most about 10 x labels
		for i := range n {
			x := x0 + float64(i)*slot + (slot-bw)/2
			y := ybase
			for j, s := range c.Series {
				v := 0.0
				if i < len(c.Values) && j < len(c.Values[i]) {
					v = c.Values[i][j]
				}
				if v <= 0 {
					continue
				}
				bh := v / top * ph
				y -= bh
				fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="url(#%s-p%d)" class="bar"><title>%s, %s: %s</title></rect>`,
					x, y, bw, bh, c.ID, j, esc(c.X[i]), esc(s.Label), fmtNum(v))
			}
			if i%every == 0 || i == n-1 && n <= 10 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%s</text>`, x+bw/2, ybase+18, esc(c.X[i]))
			}
		}
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axisline"/>`, x0, x0+pw, ybase, ybase)
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="axisline"/>`, x0, x0, y0, ybase)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis" text-anchor="middle">day</text>`, x0+pw/2, ybase+42)
	if max == 0 && c.Empty != "" {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="empty" text-anchor="middle">%s</text>`, x0+pw/2, y0+ph/2, esc(c.Empty))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String()) // every piece of text above is escaped
}

// HBar is one bar of a horizontal bar chart.
type HBar struct {
	Label string
	Value float64
	Text  string // the value in words, e.g. "1 h 20 min"
}

// HBarChart is a horizontal bar per item (e.g. time per feed).
type HBarChart struct {
	ID    string
	Title string
	Desc  string
	Bars  []HBar
	Empty string
}

// SVG renders the chart.
func (c HBarChart) SVG() template.HTML {
	var b strings.Builder
	rows := max(1, len(c.Bars))
	h := float64(marginT + rows*hbarRowH + 8)
	w := chartW
	fmt.Fprintf(&b, `<svg class="chart hbar" viewBox="0 0 %d %.0f" role="img" aria-labelledby="%s-t %s-d">`, w, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	labelW, textW := 150.0, 110.0
	pw := float64(w) - labelW - textW
	max := 0.0
	for _, x := range c.Bars {
		max = math.Max(max, x.Value)
	}
	if len(c.Bars) == 0 || max == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%.0f" class="empty" text-anchor="middle">%s</text>`, w/2, h/2+4, esc(c.Empty))
	}
	for i, x := range c.Bars {
		if max == 0 {
			break
		}
		y := float64(marginT + i*hbarRowH)
		bw := math.Max(1, x.Value/max*pw)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="tick" text-anchor="end">%s</text>`, labelW-8, y+15, esc(x.Label))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.2f" height="20" class="hbar-bar"><title>%s: %s</title></rect>`, labelW, y, bw, esc(x.Label), esc(x.Text))
		fmt.Fprintf(&b, `<text x="%.2f" y="%.1f" class="value">%s</text>`, labelW+bw+6, y+15, esc(x.Text))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
