package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// paintTraceCategories are what a paint trace records: the page's tasks,
// parsing, style, layout and paint (devtools.timeline), loading and
// navigation, V8, and the extension system and service worker in the
// browser process.
var paintTraceCategories = []string{
	"devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "blink.user_timing",
	"loading", "navigation", "toplevel", "v8", "extensions", "ServiceWorker", "browser",
	"content", "renderer.scheduler", "disabled-by-default-devtools.timeline.frame",
}

// chromiumTrace starts a browser-wide trace (DevTools' Tracing domain) and
// returns a function that ends it and writes it, in the JSON trace format
// that chrome://tracing and Perfetto read, to path.
func chromiumTrace(tb testing.TB, browser context.Context, path string) func() {
	tb.Helper()
	var (
		mu     sync.Mutex
		events [][]byte
		done   = make(chan struct{})
		once   sync.Once
	)
	if err := chromedp.ListenBrowser(browser, func(ev any) {
		switch e := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			for _, v := range e.Value {
				events = append(events, bytes.Clone(v))
			}
			mu.Unlock()
		case *tracing.EventTracingComplete:
			once.Do(func() { close(done) })
		}
	}); err != nil {
		tb.Fatal(err)
	}
	c, cancel := context.WithTimeout(browser, 10*time.Second)
	defer cancel()
	if _, err := chromedp.CallBrowser(c, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{RecordMode: tracing.TraceConfigRecordModeRecordAsMuchAsPossible, IncludedCategories: paintTraceCategories},
	}); err != nil {
		tb.Fatalf("Tracing.start: %v", err)
	}
	return func() {
		tb.Helper()
		c, cancel := context.WithTimeout(browser, 30*time.Second)
		defer cancel()
		if _, err := chromedp.CallBrowser(c, tracing.End, cdp.Empty{}); err != nil {
			tb.Fatalf("Tracing.end: %v", err)
		}
		select {
		case <-done:
		case <-c.Done():
			tb.Fatalf("no tracingComplete: %v", c.Err())
		}
		mu.Lock()
		defer mu.Unlock()
		var b strings.Builder
		b.WriteString(`{"traceEvents":[`)
		for i, e := range events {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.Write(e)
		}
		b.WriteString("]}\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
		tb.Logf("trace: %s (%d events)", path, len(events))
		for _, l := range paintTraceSummary(events) {
			tb.Logf("trace: %s: %s", filepath.Base(path), l)
		}
	}
}

// traceEvent is what paintTraceSummary reads of a trace event.
type traceEvent struct {
	Name string  `json:"name"`
	Cat  string  `json:"cat"`
	Ph   string  `json:"ph"`
	Pid  int     `json:"pid"`
	Tid  int     `json:"tid"`
	Ts   float64 `json:"ts"`   // µs
	Dur  float64 `json:"dur"`  // µs, wall
	Tdur float64 `json:"tdur"` // µs, thread time
	Args struct {
		Name string `json:"name"` // process_name, thread_name
		Data struct {
			DocumentLoaderURL string `json:"documentLoaderURL"`
			NavigationID      string `json:"navigationId"`
			URL               string `json:"url"`
			RequestID         string `json:"requestId"`
		} `json:"data"`
	} `json:"args"`
}

// paintTraceSummary reads a trace's events and says, for each load of the
// feed (cold, then warm), where the time from the document's
// navigationStart to its first contentful paint went: the thread time of
// the top-level tasks in that window by process and thread, and how long
// the prompt's one script before the first frame (first-frame.js) waited
// between its request and its response.
func paintTraceSummary(raw [][]byte) []string {
	var evs []traceEvent
	procs, threads := map[int]string{}, map[[2]int]string{}
	for _, r := range raw {
		var e traceEvent
		if json.Unmarshal(r, &e) != nil {
			continue
		}
		switch {
		case e.Ph == "M" && e.Name == "process_name":
			procs[e.Pid] = e.Args.Name
		case e.Ph == "M" && e.Name == "thread_name":
			threads[[2]int{e.Pid, e.Tid}] = e.Args.Name
		default:
			evs = append(evs, e)
		}
	}
	fcp := map[string]float64{}
	for _, e := range evs {
		if e.Name == "firstContentfulPaint" {
			fcp[e.Args.Data.NavigationID] = e.Ts
		}
	}
	group := func(e traceEvent) string {
		p, t := procs[e.Pid], threads[[2]int{e.Pid, e.Tid}]
		switch {
		case t == "ServiceWorker thread":
			return "service worker"
		case p == "Browser" && t == "CrBrowserMain":
			return "browser main"
		case p == "Extension Renderer" && t == "CrRendererMain":
			return "extension page main"
		case p == "Renderer" && t == "CrRendererMain":
			return "site main"
		}
		return "other"
	}
	groups := []string{"extension page main", "site main", "service worker", "browser main", "other"}
	var out []string
	kind := "cold"
	for _, n := range evs {
		u := n.Args.Data.DocumentLoaderURL
		if n.Name != "navigationStart" || !strings.HasPrefix(u, paintFeedURL) || strings.Contains(u, "/r/") {
			continue
		}
		t1, ok := fcp[n.Args.Data.NavigationID]
		if !ok {
			continue
		}
		t0 := n.Ts
		cpu := map[string]float64{}
		var req, resp float64
		var rid string
		for _, e := range evs {
			switch {
			case e.Ph == "X" && e.Cat == "toplevel" && (e.Name == "ThreadControllerImpl::RunTask" || e.Name == "ThreadPool_RunTask") && e.Dur > 0:
				lo, hi := max(e.Ts, t0), min(e.Ts+e.Dur, t1)
				if hi > lo {
					td := e.Tdur
					if td == 0 {
						td = e.Dur
					}
					cpu[group(e)] += td * (hi - lo) / e.Dur / 1000
				}
			case e.Name == "ResourceSendRequest" && e.Ts >= t0 && e.Ts <= t1 && strings.HasSuffix(e.Args.Data.URL, "/first-frame.js") && rid == "":
				req, rid = e.Ts, e.Args.Data.RequestID
			}
		}
		for _, e := range evs {
			if rid != "" && e.Name == "ResourceReceiveResponse" && e.Args.Data.RequestID == rid && resp == 0 {
				resp = e.Ts
			}
		}
		line := fmt.Sprintf("feed %s: FCP %.0f ms after navigationStart; thread time in that window:", kind, (t1-t0)/1000)
		total := 0.0
		for _, g := range groups {
			total += cpu[g]
			line += fmt.Sprintf(" %s %.1f ms,", g, cpu[g])
		}
		line += fmt.Sprintf(" all %.1f ms", total)
		if resp > 0 {
			line += fmt.Sprintf("; first-frame.js waited %.1f ms for its response", (resp-req)/1000)
		}
		out = append(out, line)
		kind = "warm"
	}
	return out
}
