package e2e

import (
	"bytes"
	"context"
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
	}
}
