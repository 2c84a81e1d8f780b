package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each command has its own help: `mindful help CMD` and `mindful CMD
// --help` say the same, with the command's flags and examples.
func TestCommandHelp(t *testing.T) {
	isolate(t)
	tests := []struct {
		path []string
		want []string
		not  []string
	}{
		{[]string{"break", "start"}, []string{"Usage:\n  mindful break start --for DURATION", "--for DURATION", "--locked", "rest-of-day", "until 08:00", "2h30m", "Examples:\n  mindful break start --for 1h", "--addr HOST:PORT"}, []string{"--reason", "--weekly"}},
		{[]string{"schedule"}, []string{"mindful schedule COMMAND", "add ", "remove ", "list "}, []string{"--weekly"}},
		{[]string{"schedule", "add"}, []string{"--weekly", "--once", "--site HOST", "weekdays 21:00"}, []string{"--for"}},
		{[]string{"status"}, []string{"mindful status [--json]", "--json", "mindful status --json"}, nil},
		{[]string{"pair", "approve"}, []string{"mindful pair approve CODE", "mindful pair approve 042137"}, []string{"--json"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.path, " "), func(t *testing.T) {
			code, viaHelp, stderr := run(t, append([]string{"help"}, tt.path...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("help: exit %d, stderr %q", code, stderr)
			}
			for _, flag := range []string{"--help", "-h", "-help"} {
				code, out, stderr := run(t, append(tt.path, flag)...)
				if code != 0 || stderr != "" || out != viaHelp {
					t.Errorf("%s: exit %d, stderr %q, and it differs from `mindful help`:\n%s", flag, code, stderr, out)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(viaHelp, w) {
					t.Errorf("help lacks %q:\n%s", w, viaHelp)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(viaHelp, w) {
					t.Errorf("help shows another command's %q:\n%s", w, viaHelp)
				}
			}
		})
	}
	code, _, stderr := run(t, "help", "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("help frobnicate: exit %d, stderr %q", code, stderr)
	}
}

// Every command a user runs has a description and at least one example
// that runs that command.
func TestEveryCommandHasExamples(t *testing.T) {
	for _, c := range leaves(newRoot(nil, nil).cmd) {
		path := c.CommandPath()
		if c.Short == "" || c.Example == "" || !strings.Contains(c.Example, path) {
			t.Errorf("%s: short %q, examples %q", path, c.Short, c.Example)
		}
	}
}

// A usage error names the command's own usage, not every command's.
func TestUsageErrorShowsCommandHelp(t *testing.T) {
	isolate(t)
	code, _, stderr := run(t, "break", "start")
	if code != 2 || !strings.HasPrefix(stderr, "mindful break: break start needs --for") || !strings.Contains(stderr, "Usage:\n  mindful break start --for DURATION") || strings.Contains(stderr, "mindful schedule add") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

// Flags a group's subcommands took before still parse, hidden where they
// mean nothing; a flag may also come before the subcommand's name.
func TestGroupFlagsAnywhere(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"pair", "approve", "042137", "--json"},
		{"break", "--locked", "start", "--for", "1h"},
		{"break", "-name", "start", "start", "--for", "1h"},
		{"schedule", "--json", "list"},
	} {
		code, _, stderr := run(t, args...)
		if code != 1 || !strings.Contains(stderr, "not running") {
			t.Errorf("%q: exit %d, want 1 (daemon not running): %s", args, code, stderr)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	isolate(t)
	for shell, want := range map[string]string{"bash": "__start_mindful", "zsh": "#compdef mindful", "fish": "complete -c mindful"} {
		code, out, stderr := run(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) || stderr != "" {
			t.Errorf("completion %s: exit %d, stderr %q, no %q", shell, code, stderr, want)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "extra"}} {
		if code, out, stderr := run(t, args...); code != 2 || out != "" || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, stderr)
		}
	}
	// Commands, subcommands and flag values complete without a daemon.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "sch"}, "schedule\t"},
		{[]string{"__complete", "break", "st"}, "start\t"},
		{[]string{"__complete", "break", "start", "--f"}, "--for\t"},
		{[]string{"__complete", "dashboard", "--page", ""}, "history\n"},
		{[]string{"__complete", "help", "pa"}, "pair\t"},
	} {
		code, out, _ := run(t, tt.args...)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("%q: exit %d, %q lacks %q", tt.args, code, out, tt.want)
		}
	}
	// Without a daemon, ids complete to nothing, quietly.
	code, out, _ := run(t, "__complete", "feeds", "disable", "")
	if code != 0 || strings.TrimSpace(out) != ":4" {
		t.Errorf("feeds disable without a daemon: %d %q", code, out)
	}
}

// The man page and the completion scripts come from the same definitions.
func TestWriteShare(t *testing.T) {
	t.Setenv("MINDFUL_ADDR", "127.0.0.1:1")
	dir := t.TempDir()
	if err := WriteShare(dir, "2026-12-07"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "man/man1/mindful.1"))
	if err != nil {
		t.Fatal(err)
	}
	man := string(b)
	for _, want := range []string{
		".TH MINDFUL 1 \"2026-12-07\"",
		".SS mindful break start \\-\\-for DURATION",
		"\\fB\\-\\-for\\fR \\fIDURATION\\fR",
		"mindful schedule add \\-\\-weekly \"Fri 15:30\" \"Sat 16:00\"",
		"(default 127.0.0.1:17717)", // not the environment's
		".SH EXIT STATUS",
		"MINDFUL_DATA_DIR",
	} {
		if !strings.Contains(man, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	for _, c := range leaves(newRoot(nil, nil).cmd) {
		if c.Name() != "help" && !strings.Contains(man, ".SS "+roff(useLine(c))) {
			t.Errorf("man page lacks %s", c.CommandPath())
		}
	}
	// Every request is one the page means: text starting with a dot or
	// quote is escaped.
	macros := map[string]bool{".TH": true, ".SH": true, ".SS": true, ".PP": true, ".TP": true, ".B": true, ".I": true, ".RI": true, ".nf": true, ".fi": true, ".RS": true, ".RE": true}
	for _, l := range strings.Split(man, "\n") {
		if strings.HasPrefix(l, "'") || strings.HasPrefix(l, ".") && !macros[strings.Fields(l)[0]] {
			t.Errorf("unescaped line: %q", l)
		}
	}
	for _, f := range []string{"bash-completion/completions/mindful", "zsh/vendor-completions/_mindful", "fish/vendor_completions.d/mindful.fish"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// BenchmarkMainVersion is the command line's own cost on every run:
// building the command tree, parsing, running the smallest command.
func BenchmarkMainVersion(b *testing.B) {
	for b.Loop() {
		if code := Main([]string{"version"}, io.Discard, io.Discard); code != 0 {
			b.Fatal(code)
		}
	}
}
