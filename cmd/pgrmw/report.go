package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/lint"
	"github.com/pgrmw/pgrmw/report"
	"github.com/pgrmw/pgrmw/rules"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "render findings as a self-contained HTML page or a Markdown pull-request comment",
		UsageText: "pgrmw report [--format html|markdown] [--out FILE] INPUT...",
		Description: "INPUT is anything `pgrmw lint` reads: a capture, a PostgreSQL server log (stderr, csvlog, jsonlog),\n" +
			"a findings file (the proxy's --findings, `pgrmw lint --format json`), or - for standard input.\n" +
			"Findings with the same fingerprint are shown once, with their count. The HTML page is one\n" +
			"self-contained file; Markdown fits a GitHub pull-request comment.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "html", Usage: "html or markdown"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "-", Usage: "output `file` (- for standard output)"},
			&cli.StringFlag{Name: "title", Value: "pgrmw report", Usage: "report title"},
			&cli.IntFlag{Name: "markdown-limit", Value: report.GitHubCommentLimit, Usage: "Markdown size cap in bytes; past it the report summarises"},
			&cli.StringFlag{Name: "config", Usage: "analyzer config `file` (default: pgrmw.yaml or .pgrmw.yaml in the working directory)"},
			&cli.BoolFlag{Name: "keep-going", Usage: "skip malformed lines in the middle of an input (with a warning) instead of failing"},
			&cli.StringFlag{Name: "log-line-prefix", Usage: "the server's log_line_prefix, for stderr logs whose prefix is not recognised"},
		},
		Action: runReport,
	}
}

func runReport(c *cli.Context) error {
	format := c.String("format")
	if format != "html" && format != "markdown" && format != "md" {
		return reportUsageError("--format %q: want html or markdown", format)
	}
	inputs := c.Args().Slice()
	if len(inputs) == 0 {
		return reportUsageError("no input files (a capture, a server log, a findings file, or - for standard input)")
	}
	cfg, err := lintConfig(c.String("config"))
	if err != nil {
		return reportUsageError("%v", err)
	}
	// lint reads every kind of input (captures and server logs through the
	// analyzer, findings files as they are) into findings.
	opts := lint.DefaultOptions(cfg)
	opts.KeepGoing = c.Bool("keep-going")
	opts.LinePrefix = c.String("log-line-prefix")
	opts.Stdin = c.App.Reader
	res, err := lint.Collect(c.Context, inputs, opts)
	if err != nil {
		return &lintExit{code: 2, err: fmt.Errorf("report: %w", err)}
	}
	for _, w := range res.Warnings {
		logger.Warn().Msg(w)
	}
	for _, s := range res.Skipped {
		logger.Info().Str("rule", s.ID).Str("reason", s.Reason).Msg("rule could not run")
	}
	groups := report.GroupFindings(res.Findings)
	ropts := report.Options{
		Title:         c.String("title"),
		Source:        reportSource(inputs),
		Docs:          ruleDoc,
		MarkdownLimit: c.Int("markdown-limit"),
	}
	render := report.HTML
	if format != "html" {
		render = report.Markdown
	}
	var buf bytes.Buffer
	if err := render(&buf, groups, ropts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeReportFile(c, c.String("out"), buf.Bytes()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	logger.Info().Int("findings", len(res.Findings)).Int("groups", len(groups)).Str("format", format).Str("out", c.String("out")).Msg("report written")
	return nil
}

// reportUsageError exits 2, like lint's usage errors.
func reportUsageError(format string, args ...any) error {
	return &lintExit{code: 2, err: fmt.Errorf("report: "+format, args...)}
}

// ruleDoc returns a rule's Markdown doc for the report ("" when unknown).
func ruleDoc(ruleID string) string {
	if r := rules.Lookup(ruleID); r != nil {
		return r.Doc
	}
	return ""
}

func reportSource(paths []string) string {
	if len(paths) == 1 {
		return filepath.Base(paths[0])
	}
	return fmt.Sprintf("%d inputs", len(paths))
}

// writeReportFile writes to a file (atomically, so a reader never sees half
// a report) or to standard output for "-".
func writeReportFile(c *cli.Context, path string, data []byte) error {
	if path == "-" || path == "" {
		_, err := c.App.Writer.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write output: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write output: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write output: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
