package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
)

func TestSyncUsageErrors(t *testing.T) {
	isolate(t)
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"sync"}, "missing argument"},
		{[]string{"sync", "frob"}, `unknown sync command "frob"`},
		{[]string{"sync", "enable"}, "sync enable needs --dir"},
		{[]string{"sync", "enable", "--dir", "/x", "--encrypt", "--key", "ABC"}, "not both"},
		{[]string{"sync", "status", "--bogus"}, "bogus"},
		{[]string{"sync", "status", "extra"}, `unexpected argument "extra"`},
	} {
		code, stdout, stderr := run(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.msg) || !strings.Contains(stderr, "Usage:") || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", tt.args, code, stderr, stdout, tt.msg)
		}
	}
}

func TestPrintSync(t *testing.T) {
	now := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	seen, imp := now.Add(-3*time.Hour), now.Add(-time.Minute)
	st := api.SyncStatus{Enabled: true, Dir: "/home/me/Sync/m", Encrypted: true,
		Device:   api.SyncDevice{ID: "k3jq7x2mbn4pd5ra", Name: "desktop", EventsToday: 12},
		Devices:  []api.SyncDevice{{ID: "abcdefghijklmnop", Name: "laptop", LastWritten: &seen, LastImport: &imp, EventsToday: 3, Stale: true}},
		Problems: []string{"laptop: last seen 3 h ago"}}
	var b bytes.Buffer
	printSync(&b, st, now)
	out := b.String()
	for _, want := range []string{"sync: on, through /home/me/Sync/m (encrypted)", "k3jq7x2mbn4pd5ra  desktop  this device", "laptop", "last seen 3 h ago", "problem: laptop: last seen 3 h ago"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	printSyncBrief(&b, &st)
	if got := b.String(); !strings.HasPrefix(got, "sync: on, 1 other device(s); 1 problem(s): laptop: last seen 3 h ago") {
		t.Errorf("brief: %q", got)
	}
	b.Reset()
	printSync(&b, api.SyncStatus{Device: api.SyncDevice{ID: "k3jq7x2mbn4pd5ra", Name: "desktop"}}, now)
	if !strings.Contains(b.String(), "sync: off") {
		t.Errorf("off: %q", b.String())
	}
}
