package e2e

import (
	"strings"
	"testing"
)

// TestCLICompletionAsksDaemon: the shell's completion (the binary's
// `__complete`, which the bash, zsh and fish scripts call) proposes the
// ids a running daemon knows: feeds, scheduled breaks.
func TestCLICompletionAsksDaemon(t *testing.T) {
	d := startDaemon(t, freePort(t), t.TempDir())
	d.cli("schedule", "add", "--weekly", "Fri 15:30", "Sat 16:00", "--name", "Weekend")
	d.cli("feeds", "disable", "tiktok")
	for _, tt := range []struct {
		args      []string
		want, not string
	}{
		{[]string{"__complete", "schedule", "remove", ""}, "1\tWeekend: weekly Fri 15:30 → Sat 16:00\n", ""},
		{[]string{"__complete", "feeds", "disable", ""}, "youtube\tYouTube\n", "tiktok"},
		{[]string{"__complete", "feeds", "enable", ""}, "tiktok\tTikTok\n", "youtube"},
		{[]string{"__complete", "pair", "revoke", ""}, ":4\n", "\t"}, // nothing paired yet
	} {
		out := string(d.cli(tt.args...))
		if !strings.Contains(out, tt.want) || tt.not != "" && strings.Contains(out, tt.not) {
			t.Errorf("mindful %s:\n%s\nwant %q and no %q", strings.Join(tt.args, " "), out, tt.want, tt.not)
		}
	}
	// Per-command help from the binary itself.
	if out := string(d.cli("break", "start", "--help")); !strings.Contains(out, "rest-of-day") || !strings.Contains(out, "Examples:") {
		t.Errorf("break start --help:\n%s", out)
	}
}
