package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// frameProbe runs in every new document of the tab before its own scripts
// and, on the prompt page, notes at each animation frame (the step before
// the browser draws it) what the frame would show: the feed's name, the
// heading, where the heading, the lead and the breathing circle are.
const frameProbe = `(() => {
	if (!location.pathname.endsWith('/prompt.html')) return;
	const box = (s) => { const el = document.querySelector(s); if (!el) return null; const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map(Math.round).join(','); };
	window.__frames = [];
	requestAnimationFrame(function frame() {
		const title = document.getElementById('title');
		window.__frames.push({
			title: title ? title.textContent : null,
			name: document.getElementById('feed-name')?.textContent ?? null,
			h1: box('#title'), lead: box('#lead'), breath: box('.breath'),
			script: !!document.getElementById('prompt')?.dataset.feed,
			view: [innerWidth, innerHeight, document.documentElement.clientWidth, document.documentElement.scrollHeight].join(','),
		});
		if (window.__frames.length < 40) requestAnimationFrame(frame);
	});
})()`

type promptFrame struct {
	Title, Name, H1, Lead, Breath, View *string
	Script                              bool
}

// TestChromiumPromptFirstFrame: the prompt says "Habit or need?" and the
// feed's name ("Reddit", from the catalog, carried in the redirect's
// address) in the very first frame that has any text, before the page's
// modules ran, and nothing moves when they arrive.
func TestChromiumPromptFirstFrame(t *testing.T) {
	s := startSites(t)
	browser := startChromium(t, s) // unpaired: the built-in catalog
	options := tab(t, browser)
	do(t, options, chromedp.Navigate(extOrigin+"/src/pages/options/options.html"))
	waitRules(t, options)

	pg := tab(t, browser)
	do(t, pg, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: frameProbe})
		return err
	}))
	for i, u := range []string{"https://www.reddit.com/", "https://www.reddit.com/r/golang/?n=Evil&x=1"} {
		do(t, pg, chromedp.Navigate(u))
		onPrompt(t, pg, "reddit")
		frames := poll[[]promptFrame](t, pg, "40 frames of the prompt", `window.__frames && window.__frames.length >= 40 && window.__frames`, 20*time.Second)
		if n := s.requests("www.reddit.com"); n != 0 {
			t.Fatalf("%d requests reached the feed", n)
		}
		first := -1
		for j, f := range frames {
			if f.Title != nil {
				first = j
				break
			}
		}
		if first < 0 {
			t.Fatalf("load %d: no frame had the page's text: %+v", i, frames)
		}
		want := frames[len(frames)-1]
		if !want.Script {
			t.Fatalf("load %d: the page's modules never ran", i)
		}
		str := func(p *string) string {
			if p == nil {
				return "<nil>"
			}
			return *p
		}
		compared := 0
		for j, f := range frames[first:] {
			if str(f.Title) != "Habit or need?" || str(f.Name) != "Reddit" {
				t.Fatalf("load %d, frame %d (modules ran: %v) says %q and %q, want \"Habit or need?\" and \"Reddit\"", i, first+j, f.Script, str(f.Title), str(f.Name))
			}
			// Where things are, against the last frame: only at the same
			// viewport (headless Chromium may still resize a new tab's view).
			if str(f.View) != str(want.View) {
				continue
			}
			compared++
			got := fmt.Sprintf("%s|%s|%s", str(f.H1), str(f.Lead), str(f.Breath))
			exp := fmt.Sprintf("%s|%s|%s", str(want.H1), str(want.Lead), str(want.Breath))
			if got != exp {
				t.Fatalf("load %d, frame %d (modules ran: %v) has the heading, lead and circle at %s, want %s (as once the modules ran)", i, first+j, f.Script, got, exp)
			}
		}
		if compared < 10 {
			t.Fatalf("load %d: only %d frames at the final viewport to compare: %+v", i, compared, frames)
		}
		t.Logf("load %d: first frame with text: #%d, modules had run: %v", i, first, frames[first].Script)
	}
}
