package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mindful-app/mindful/daemon"
)

// A command is one node of the command line. Its words make the help, the
// overview (`mindful help`), the man page and the shell completion; cobra
// parses the flags and finds the command.
type command struct {
	name     string   // the word: "start"
	synopsis string   // what follows the words in a usage line: "--for DURATION [--name N]"
	short    string   // what it does, one line, lower case, no full stop
	long     string   // more, when one line is not enough (optional)
	examples []string // real command lines; a line starting with "#" explains the next
	hidden   bool     // left out of the overview, help and completion
	rawArgs  bool     // no flag parsing: the handler gets the words as given

	// setup declares the command's flags on c.fs (as with package flag:
	// c.fs.Bool, c.fs.String, ...) and returns the handler, which gets
	// the positional arguments once the flags are parsed. A group (a
	// command with subs) has none: it only answers "missing argument" or
	// "unknown ... command".
	setup func(c *invocation) handler
	// args proposes the positional arguments to the shell's completion
	// (often by asking the running daemon); nil proposes nothing.
	args func(c *invocation, args []string) []string
	// values proposes values for flags, by flag name.
	values map[string][]string
	subs   []*command
}

// handler runs a command with its positional arguments.
type handler func(args []string) error

// An invocation is one run of one command: what its handler gets. It is
// not a context.Context; a handler makes one per request to the daemon with
// requestContext.
type invocation struct {
	name           string // the first word: "break" for `mindful break start`
	stdout, stderr io.Writer
	fs             *pflag.FlagSet // this command's flags, parsed before the handler runs
	addr, dataDir  *string        // --addr and --data-dir, every command has them
}

// root is the whole command line, built afresh for each Main.
type root struct {
	cmd           *cobra.Command
	stdout        io.Writer
	addr, dataDir string
}

// newRoot builds the command tree from commands.
func newRoot(stdout, stderr io.Writer) *root {
	cobra.EnableCommandSorting = false // the order of commands()
	r := &root{stdout: stdout}
	r.cmd = &cobra.Command{
		Use:           "mindful",
		Short:         "notice habitual social-feed use and take real breaks",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		// Completion scripts call `mindful __complete`; keep them quiet
		// about the daemon's absence.
		CompletionOptions: cobra.CompletionOptions{},
	}
	r.cmd.SetOut(stdout)
	r.cmd.SetErr(stderr)
	r.cmd.SetArgs(nil)
	pf := r.cmd.PersistentFlags()
	pf.StringVar(&r.addr, "addr", envOr("MINDFUL_ADDR", daemon.DefaultAddr), "daemon address `HOST:PORT` (env MINDFUL_ADDR)")
	pf.StringVar(&r.dataDir, "data-dir", os.Getenv("MINDFUL_DATA_DIR"), "data `DIR` (env MINDFUL_DATA_DIR; default the per-user data directory)")
	r.cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	r.cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if c == r.cmd {
			fmt.Fprint(c.OutOrStdout(), r.overview())
			return
		}
		fmt.Fprint(c.OutOrStdout(), helpText(c))
	})
	for _, spec := range commands() {
		r.add(r.cmd, spec, spec.name, stdout, stderr)
	}
	r.cmd.SetHelpCommand(r.helpCommand())
	r.cmd.InitDefaultHelpCmd()
	r.cmd.InitDefaultCompletionCmd()
	if c := r.top("completion"); c != nil {
		c.Use = "completion bash|zsh|fish|powershell"
		c.Short = "a script that completes mindful's commands and ids in your shell"
		c.Long = "Prints a script that completes mindful's commands and flags, and asks the running daemon for feed ids, schedule ids, pairing codes and paired browsers. The Debian package installs the bash, zsh and fish scripts where those shells look for them."
		c.Example = "  source <(mindful completion bash)\n  mindful completion fish > ~/.config/fish/completions/mindful.fish"
		var shells []string
		for _, sh := range c.Commands() {
			shells = append(shells, sh.Name())
			sh.Args = func(_ *cobra.Command, args []string) error {
				if len(args) > 0 {
					return usageErr("unexpected argument %q", args[0])
				}
				return nil
			}
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("missing argument")
			}
			return usageErr("unknown completion command %q (%s)", args[0], strings.Join(shells, ", "))
		}
	}
	return r
}

// add builds spec's cobra command under parent.
func (r *root) add(parent *cobra.Command, spec *command, top string, stdout, stderr io.Writer) {
	cc := &cobra.Command{
		Use:                strings.TrimSpace(spec.name + " " + spec.synopsis),
		Short:              spec.short,
		Long:               spec.long,
		Example:            exampleText(spec.examples),
		Hidden:             spec.hidden,
		Args:               cobra.ArbitraryArgs,
		DisableFlagParsing: spec.rawArgs,
		ValidArgsFunction:  cobra.NoFileCompletions,
	}
	parent.AddCommand(cc)
	c := &invocation{name: top, stdout: stdout, stderr: stderr, fs: cc.Flags(), addr: &r.addr, dataDir: &r.dataDir}
	if spec.setup != nil {
		h := spec.setup(c)
		cc.RunE = func(_ *cobra.Command, args []string) error { return h(args) }
	}
	if spec.args != nil {
		cc.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return spec.args(c, args), cobra.ShellCompDirectiveNoFileComp
		}
	}
	for name, vals := range spec.values {
		cc.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp))
	}
	if len(spec.subs) == 0 {
		return
	}
	var names []string
	for _, sub := range spec.subs {
		r.add(cc, sub, top, stdout, stderr)
		names = append(names, sub.name)
	}
	cc.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErr("missing argument")
		}
		return usageErr("unknown %s command %q (%s)", spec.name, args[0], strings.Join(names, ", "))
	}
	// tolerate(cc) runs for the one group a command line names (execute):
	// doing it for every group costs half of the command line's own time.
}

// top is the first-level command called name, or nil.
func (r *root) top(name string) *cobra.Command {
	for _, c := range r.cmd.Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// helpCommand is `mindful help [COMMAND]...`.
func (r *root) helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]...",
		Short: "what a command does, its flags and examples",
		Example: "  mindful help break start\n" +
			"  mindful help schedule",
		Args: cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprint(r.stdout, r.overview())
				return nil
			}
			c, rest, err := r.cmd.Find(args)
			if err != nil || c == r.cmd || len(rest) > 0 {
				return usageErr("unknown command %q", strings.Join(args, " "))
			}
			fmt.Fprint(r.stdout, helpText(c))
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			c := r.cmd
			if len(args) > 0 {
				var rest []string
				var err error
				if c, rest, err = r.cmd.Find(args); err != nil || len(rest) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
			}
			var out []cobra.Completion
			for _, s := range c.Commands() {
				if s.IsAvailableCommand() {
					out = append(out, cobra.CompletionWithDesc(s.Name(), s.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// tolerate gives a group and each of its subcommands every flag any of
// them has, hidden where the command does not use it: the command line
// always took any of a group's flags with any of its subcommands
// ("mindful pair approve CODE --json"), and a flag before the subcommand's
// name ("mindful break --locked start --for 1h") must be known to cobra
// while it looks for the subcommand.
func tolerate(group *cobra.Command) {
	if !group.HasSubCommands() {
		return
	}
	all := map[string]*pflag.Flag{}
	var order []string
	cmds := append([]*cobra.Command{group}, group.Commands()...)
	for _, c := range cmds {
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if _, ok := all[f.Name]; !ok {
				all[f.Name] = f
				order = append(order, f.Name)
			}
		})
	}
	for _, c := range cmds {
		for _, name := range order {
			if c.Flags().Lookup(name) != nil {
				continue
			}
			f := all[name]
			dup := *f
			dup.Value = newValue(f.Value)
			dup.Hidden = true
			dup.Changed = false
			c.Flags().AddFlag(&dup)
		}
	}
}

// newValue is an unset flag value of v's type, for a tolerated flag.
func newValue(v pflag.Value) pflag.Value {
	fs := pflag.NewFlagSet("", pflag.ContinueOnError)
	switch v.Type() {
	case "bool":
		return newFlag(fs, fs.Bool, false)
	case "int":
		return newFlag(fs, fs.Int, 0)
	}
	if _, ok := v.(*listFlag); ok {
		return new(listFlag)
	}
	return newFlag(fs, fs.String, "")
}

func newFlag[T any](fs *pflag.FlagSet, def func(string, T, string) *T, zero T) pflag.Value {
	def("x", zero, "")
	return fs.Lookup("x").Value
}

// longFlags rewrites the single-dash long flags that package flag took
// (-json, -addr=X) as pflag's --json and --addr=X, up to a "--", leaving
// flag values alone: "mindful break stop --reason -tired-" keeps its
// reason.
func longFlags(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			out = append(out, a)
			continue
		}
		if a[1] != '-' && len(a) > 2 {
			a = "-" + a
		}
		out = append(out, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if hasValue {
			continue
		}
		f := fs.Lookup(name)
		if len(name) == 1 {
			f = fs.ShorthandLookup(name)
		}
		if f != nil && f.NoOptDefVal == "" && i+1 < len(args) {
			out = append(out, args[i+1])
			i++
		}
	}
	return out
}

// exampleText indents examples for cobra's Example.
func exampleText(ex []string) string {
	var b strings.Builder
	for i, e := range ex {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  " + e)
	}
	return b.String()
}
