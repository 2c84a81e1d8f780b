package client_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon"
	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/client"
)

// startDaemon runs a real daemon in-process on a free loopback port.
func startDaemon(t *testing.T) *client.Client {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	d, err := daemon.New(daemon.Config{Addr: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	select {
	case <-d.Ready():
	case err := <-done:
		t.Fatalf("daemon: %v", err)
	}
	c, err := client.Open(d.Addr(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWatchPushesChanges(t *testing.T) {
	c := startDaemon(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := make(chan api.Status, 16)
	go c.Watch(ctx, func(s api.Status) { got <- s })

	first := <-got
	if !first.Running || first.Break.Active {
		t.Fatalf("first status %+v", first.Break)
	}
	if _, err := c.StartBreak(ctx, api.BreakStartRequest{For: "15m", Name: "Tea"}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case s := <-got:
			if s.Break.Active && s.Break.Name == "Tea" {
				return
			}
		case <-ctx.Done():
			t.Fatal("the break never reached the watcher")
		}
	}
}

func TestStartScheduledBreakEarlyUntilItsEnd(t *testing.T) {
	c := startDaemon(t)
	ctx := context.Background()
	until := time.Now().Add(90 * time.Minute).Truncate(time.Second)
	st, err := c.StartBreak(ctx, api.BreakStartRequest{Until: &until, Name: "Evening"})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Break.Active || st.Break.Name != "Evening" || st.Break.EndsAt == nil || !st.Break.EndsAt.Equal(until) {
		t.Fatalf("break %+v", st.Break)
	}
	if _, err := c.StartBreak(ctx, api.BreakStartRequest{For: "1h", Until: &until}); err == nil {
		t.Fatal("both a length and an end time were accepted")
	}
	if st.Today.FeedOpens != 0 || st.Today.Since.IsZero() {
		t.Fatalf("today %+v", st.Today)
	}
}
