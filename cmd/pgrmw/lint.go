package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/lint"
)

// lintExit carries lint's exit code: 1 for findings at or above --fail-on,
// 2 for usage and input errors.
type lintExit struct {
	code int
	err  error
}

func (e *lintExit) Error() string { return e.err.Error() }
func (e *lintExit) Unwrap() error { return e.err }
func (e *lintExit) ExitCode() int { return e.code }

func usageError(format string, args ...any) error {
	return &lintExit{code: 2, err: fmt.Errorf("lint: "+format, args...)}
}

func lintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "find lost updates in captured traffic or PostgreSQL server logs (for CI)",
		UsageText: "pgrmw lint [flags] FILE...   (FILE: a capture, a server log (stderr, csvlog, jsonlog), a findings file, or - for standard input)",
		Description: "Each input's kind is recognised from its content. Server logs need log_statement = 'all' and a\n" +
			"log_line_prefix with %c or %p (recommended: '%m [%p] %c %e %q%v %u@%d %a '). Exit status: 0 nothing at or above\n" +
			"--fail-on, 1 findings at or above it, 2 usage or input errors.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: lint.FormatText, Usage: "text, json, sarif or github"},
			&cli.StringFlag{Name: "fail-on", Value: "warning", Usage: "error, warning, info or none: the least severity that makes lint exit 1"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "-", Usage: "output `file` (- for standard output)"},
			&cli.StringFlag{Name: "baseline", Usage: "only findings whose fingerprint is not in this baseline `file` count"},
			&cli.StringFlag{Name: "write-baseline", Usage: "record the current findings' fingerprints in `file`"},
			&cli.StringFlag{Name: "config", Usage: "analyzer config `file` (default: pgrmw.yaml or .pgrmw.yaml in the working directory)"},
			&cli.BoolFlag{Name: "keep-going", Usage: "skip malformed lines in the middle of an input (with a warning) instead of failing"},
			&cli.StringFlag{Name: "log-line-prefix", Usage: "the server's log_line_prefix, for stderr logs whose prefix is not recognised"},
			&cli.StringFlag{Name: "color", Value: "auto", Usage: "auto (on a terminal), always or never"},
		},
		Action: runLint,
	}
}

func runLint(c *cli.Context) error {
	format := c.String("format")
	if !contains(lint.Formats, format) {
		return usageError("--format %q: want %s", format, strings.Join(lint.Formats, ", "))
	}
	failOn, err := lint.ParseFailOn(c.String("fail-on"))
	if err != nil {
		return usageError("%v", err)
	}
	paths := c.Args().Slice()
	if len(paths) == 0 {
		return usageError("no input files (a capture, a server log, a findings file, or - for standard input)")
	}
	cfg, err := lintConfig(c.String("config"))
	if err != nil {
		return usageError("%v", err)
	}
	var baseline *lint.Baseline
	if p := c.String("baseline"); p != "" {
		if baseline, err = lint.LoadBaseline(p); err != nil {
			return usageError("%v", err)
		}
	}

	opts := lint.DefaultOptions(cfg)
	opts.KeepGoing = c.Bool("keep-going")
	opts.LinePrefix = c.String("log-line-prefix")
	opts.Stdin = c.App.Reader
	res, err := lint.Collect(c.Context, paths, opts)
	if err != nil {
		var ie *lint.InputError
		if errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
			return &lintExit{code: 2, err: fmt.Errorf("lint: %w", err)}
		}
		return err
	}
	for _, w := range res.Warnings {
		logger.Warn().Msg(w)
	}
	for _, s := range res.Skipped {
		// The text output says so itself; machine formats get it in the log.
		ev := logger.Info()
		if format == lint.FormatText {
			ev = logger.Debug()
		}
		ev.Str("rule", s.ID).Str("reason", s.Reason).Msg("rule could not run")
	}

	if p := c.String("write-baseline"); p != "" {
		if err := lint.NewBaseline(res.Findings).WriteFile(p); err != nil {
			return &lintExit{code: 2, err: fmt.Errorf("lint: %w", err)}
		}
		logger.Info().Str("file", p).Int("findings", len(res.Findings)).Msg("baseline written")
		if baseline == nil {
			baseline, _ = lint.LoadBaseline(p)
		}
	}
	report := &lint.Report{Result: res, Rules: opts.Rules, Version: version()}
	if baseline != nil {
		report.Baselined = baseline.Filter(res)
	}

	if err := writeLintOutput(c, format, report); err != nil {
		return &lintExit{code: 2, err: fmt.Errorf("lint: %w", err)}
	}
	logger.Debug().Int64("events", res.Events).Dur("elapsed", res.Elapsed).Int("findings", len(res.Findings)).Msg("lint done")
	if n := lint.Failing(res.Findings, failOn); n > 0 {
		return &lintExit{code: 1, err: fmt.Errorf("lint: %d finding%s at or above %s", n, plural(n), failOn)}
	}
	return nil
}

func writeLintOutput(c *cli.Context, format string, r *lint.Report) error {
	out := c.String("out")
	var w io.Writer = c.App.Writer
	var f *os.File
	if out != "-" {
		var err error
		if f, err = os.Create(out); err != nil {
			return fmt.Errorf("output: %w", err)
		}
		w = f
	}
	color := false
	switch c.String("color") {
	case "always":
		color = true
	case "never":
	default:
		if sf, ok := w.(*os.File); ok && format == lint.FormatText {
			color = isTerminal(sf)
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	err := lint.Write(bw, format, r, color)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// lintConfig loads --config, else a pgrmw.yaml found in the working
// directory, else the defaults.
func lintConfig(path string) (analyzer.Config, error) {
	if path == "" {
		if p, ok := analyzer.FindConfig("."); ok {
			path = p
		}
	}
	if path == "" {
		return analyzer.DefaultConfig(), nil
	}
	return analyzer.LoadConfig(path)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
