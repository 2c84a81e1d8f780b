package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const intro = "mindful helps you notice habitual social-feed use and take real breaks.\n"

const globalNote = `Every subcommand takes --addr (env MINDFUL_ADDR, default 127.0.0.1:17717)
and --data-dir (env MINDFUL_DATA_DIR, default the per-user data directory).
` + "`mindful help COMMAND` (or `mindful COMMAND --help`) shows what a command does, its flags and\nexamples; `man mindful` shows them all.\n"

// overview is `mindful help`: every command on a line or two.
func (r *root) overview() string {
	var b strings.Builder
	b.WriteString(intro + "\nUsage:\n")
	for _, c := range leaves(r.cmd) {
		line := "  " + useLine(c)
		if len(line) > 34 {
			fmt.Fprintf(&b, "%s\n%35s%s\n", line, "", c.Short)
		} else {
			fmt.Fprintf(&b, "%-35s%s\n", line, c.Short)
		}
	}
	b.WriteString("\n" + globalNote)
	return b.String()
}

// leaves are the commands a user runs, in the order of commands(): the
// subcommands of a group (not the group), then completion and help.
func leaves(c *cobra.Command) []*cobra.Command {
	var out, last []*cobra.Command
	for _, s := range c.Commands() {
		switch {
		case s.Name() == "completion" || s.Name() == "help":
			last = append(last, s)
		case !s.IsAvailableCommand():
		case s.HasAvailableSubCommands():
			out = append(out, leaves(s)...)
		default:
			out = append(out, s)
		}
	}
	slices.SortFunc(last, func(a, b *cobra.Command) int { return strings.Compare(a.Name(), b.Name()) })
	return append(out, last...)
}

// helpText is `mindful help CMD` and `mindful CMD --help`.
func helpText(c *cobra.Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", c.CommandPath(), c.Short)
	if c.Long != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(c.Long, "\n"))
	}
	b.WriteString("\nUsage:\n")
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "  %s COMMAND\n\nCommands:\n", c.CommandPath())
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() {
				fmt.Fprintf(&b, "  %-12s %s\n", s.Name(), s.Short)
			}
		}
	} else {
		fmt.Fprintf(&b, "  %s\n", useLine(c))
	}
	if fl := flagUsages(c.LocalFlags()); fl != "" {
		fmt.Fprintf(&b, "\nFlags:\n%s", fl)
	}
	if fl := flagUsages(c.InheritedFlags()); fl != "" {
		fmt.Fprintf(&b, "\nEvery command's flags:\n%s", fl)
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.Example)
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nRun `%s COMMAND --help` for a command's flags and examples.\n", c.CommandPath())
	}
	return b.String()
}

// flagUsages lists the visible flags, without cobra's -h/--help.
func flagUsages(fs *pflag.FlagSet) string {
	out := pflag.NewFlagSet("", pflag.ContinueOnError)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			out.AddFlag(f)
		}
	})
	return out.FlagUsagesWrapped(100)
}

// useLine is the command's words and synopsis: "mindful break start --for DURATION ...".
func useLine(c *cobra.Command) string {
	if !c.HasParent() {
		return c.Use
	}
	return c.Parent().CommandPath() + " " + c.Use
}
