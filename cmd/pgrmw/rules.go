package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/rules"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:      "rules",
		Usage:     "list the rules, or print one rule's documentation",
		ArgsUsage: "[RULE-ID or name]",
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			if c.NArg() == 0 {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tTITLE")
				for _, r := range rules.All() {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Severity, r.Title())
				}
				return tw.Flush()
			}
			for _, arg := range c.Args().Slice() {
				r := rules.Lookup(arg)
				if r == nil {
					return cli.Exit(fmt.Sprintf("rules: no rule %q (see `pgrmw rules`)", arg), 2)
				}
				fmt.Fprintf(w, "%s  severity: %s\n\n%s", r.ID, r.Severity, r.Doc)
				if r.NeedsResults {
					fmt.Fprintln(w, "\nNeeds server responses (result rows, command tags, errors): it cannot run fully over a server log.")
				}
			}
			return nil
		},
	}
}
