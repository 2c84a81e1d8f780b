package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mindful-app/mindful/daemon"
)

// docsRoot is the command tree as the documentation shows it: defaults
// as they are without MINDFUL_ADDR and MINDFUL_DATA_DIR.
func docsRoot() *root {
	for _, k := range []string{"MINDFUL_ADDR", "MINDFUL_DATA_DIR"} {
		if v, ok := os.LookupEnv(k); ok {
			os.Unsetenv(k)
			defer os.Setenv(k, v)
		}
	}
	return newRoot(io.Discard, io.Discard)
}

// WriteShare writes what a package installs under /usr/share, made from
// the command definitions, into dir: the man page man/man1/mindful.1 and
// the bash, zsh and fish completion scripts where those shells look
// (bash-completion/completions/mindful, zsh/vendor-completions/_mindful,
// fish/vendor_completions.d/mindful.fish).
func WriteShare(dir, date string) error {
	r := docsRoot()
	files := map[string]func(io.Writer) error{
		"man/man1/mindful.1":                     func(w io.Writer) error { return r.writeMan(w, date) },
		"bash-completion/completions/mindful":    func(w io.Writer) error { return r.cmd.GenBashCompletionV2(w, true) },
		"zsh/vendor-completions/_mindful":        r.cmd.GenZshCompletion,
		"fish/vendor_completions.d/mindful.fish": func(w io.Writer) error { return r.cmd.GenFishCompletion(w, true) },
	}
	for name, write := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// writeMan writes mindful(1) in roff: every command with its flags and
// examples on one page, as `mindful help CMD` shows them.
func (r *root) writeMan(w io.Writer, date string) error {
	p := &printer{w: w}
	p.f(".TH MINDFUL 1 %q mindful \"User Commands\"\n", date)
	p.f(".SH NAME\nmindful \\- %s\n", roff(r.cmd.Short))
	p.f(".SH SYNOPSIS\n.B mindful\n.I command\n.RI [ flags ]\n")
	p.f(".SH DESCRIPTION\n%s\n", roff(
		"mindful asks \"habit or need?\" before a social feed opens and blocks the feeds during breaks. "+
			"`mindful run` starts the daemon, which keeps every record in one SQLite file on this computer; "+
			"the browser extension pairs with it, and every other command is a client of the daemon."))
	p.f(".PP\nFlags may come before or after the arguments, with one dash or two (\\fB\\-json\\fR or \\fB\\-\\-json\\fR).\n")
	p.f(".SH COMMANDS\n")
	for _, c := range leaves(r.cmd) {
		if c.Name() == "help" {
			continue
		}
		p.f(".SS %s\n", roff(useLine(c)))
		p.f("%s\n", roff(c.Short))
		switch {
		case strings.Contains(c.Long, "\n  "): // a table: keep the lines
			p.f(".PP\n.nf\n%s\n.fi\n", roff(c.Long))
		case c.Long != "":
			p.f(".PP\n%s\n", roff(c.Long))
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || f.Hidden {
				return
			}
			p.f(".TP\n%s\n%s\n", roff(flagTerm(f)), roff(flagText(f)))
		})
		if c.Example != "" {
			p.f(".PP\nExamples:\n.PP\n.RS 4\n.nf\n%s\n.fi\n.RE\n", roff(strings.ReplaceAll(c.Example, "\n  ", "\n")[2:]))
		}
	}
	p.f(".SH FLAGS OF EVERY COMMAND\n")
	r.cmd.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		p.f(".TP\n%s\n%s\n", roff(flagTerm(f)), roff(flagText(f)))
	})
	p.f(".SH ENVIRONMENT\n")
	for _, e := range [][2]string{
		{"MINDFUL_ADDR", "the daemon's address, like --addr (default " + daemon.DefaultAddr + "; a client also finds the address a daemon started with --addr wrote to its data directory)"},
		{"MINDFUL_DATA_DIR", "the data directory, like --data-dir (default: $XDG_DATA_HOME/mindful, else ~/.local/share/mindful)"},
		{"MINDFUL_LOG", "debug: mindful run logs more"},
	} {
		p.f(".TP\n.B %s\n%s\n", e[0], roff(e[1]))
	}
	p.f(".SH EXIT STATUS\n.TP\n.B 0\nsuccess\n.TP\n.B 1\nfailure, such as the daemon not running\n.TP\n.B 2\na usage error: an unknown command or flag, or a missing or bad argument\n")
	p.f(".SH SEE ALSO\n%s\n", roff("`mindful help COMMAND`; `mindful dashboard` opens the dashboard in your browser."))
	return p.err
}

// flagTerm is "--for DURATION" in bold and italics.
func flagTerm(f *pflag.Flag) string {
	name, _ := pflag.UnquoteUsage(f)
	t := "\x01B--" + f.Name + "\x01R"
	if name != "" && f.Value.Type() != "bool" {
		t += " \x01I" + name + "\x01R"
	}
	return t
}

func flagText(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "-1" && f.DefValue != "0" {
		usage += fmt.Sprintf(" (default %s)", f.DefValue)
	}
	return usage
}

var backquoted = regexp.MustCompile("`([^`]*)`")

// roff escapes text for roff: backslashes and dashes, and a dot or quote
// at the start of a line; `code` and \x01B, \x01I, \x01R become font changes.
func roff(s string) string {
	s = backquoted.ReplaceAllString(s, "\x01B$1\x01R")
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`, "\x01B", `\fB`, "\x01I", `\fI`, "\x01R", `\fR`, "`", "").Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
