package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/daemontest"
)

func TestWatchPushesChanges(t *testing.T) {
	c := daemontest.Start(t).Client(t)
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
	c := daemontest.Start(t).Client(t)
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
