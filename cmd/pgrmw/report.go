package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/report"
	"github.com/pgrmw/pgrmw/rules"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "render findings as a self-contained HTML page or a Markdown pull-request comment",
		UsageText: "pgrmw report [--format html|markdown] [--out FILE] INPUT...",
		Description: "INPUT is a findings file: the proxy's --findings file (JSON Lines) or the output of\n" +
			"`pgrmw lint --format json`. Findings with the same fingerprint are shown once, with their count.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "html", Usage: "html or markdown"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "-", Usage: "output `file` (- for standard output)"},
			&cli.StringFlag{Name: "title", Value: "pgrmw report", Usage: "report title"},
			&cli.IntFlag{Name: "markdown-limit", Value: report.GitHubCommentLimit, Usage: "Markdown size cap in bytes; past it the report summarises"},
		},
		Action: runReport,
	}
}

func runReport(c *cli.Context) error {
	format := c.String("format")
	if format != "html" && format != "markdown" && format != "md" {
		return fmt.Errorf("report: --format %q: want html or markdown", format)
	}
	inputs := c.Args().Slice()
	if len(inputs) == 0 {
		return fmt.Errorf("report: no input files (findings JSON Lines or `pgrmw lint --format json` output)")
	}
	grouper := report.NewGrouper()
	findings := 0
	for _, in := range inputs {
		if err := collectReportFindings(in, func(f analyzer.Finding) { findings++; grouper.Add(f) }); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	opts := report.Options{
		Title:         c.String("title"),
		Source:        reportSource(inputs),
		Docs:          ruleDoc,
		MarkdownLimit: c.Int("markdown-limit"),
	}
	var buf bytes.Buffer
	render := report.HTML
	if format != "html" {
		render = report.Markdown
	}
	groups := grouper.Groups()
	if err := render(&buf, groups, opts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeReportFile(c.String("out"), buf.Bytes()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	logger.Info().Int("findings", findings).Int("groups", len(groups)).Str("format", format).Str("out", c.String("out")).Msg("report written")
	return nil
}

// collectReportFindings reads one input into findings. Findings files are read
// here; captures and server logs go through the analyzer, which lint owns.
func collectReportFindings(path string, add func(analyzer.Finding)) error {
	if kind, err := sniffReportInput(path); err != nil {
		return err
	} else if kind != "" {
		return fmt.Errorf("%s looks like a %s: run `pgrmw lint --format json %s > findings.json` and report on that", path, kind, path)
	}
	return report.ReadFindingsFile(path, add)
}

// sniffReportInput names inputs that are not findings files ("" for findings).
func sniffReportInput(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	line = strings.TrimSpace(line)
	switch {
	case strings.Contains(line, `"format":"`+capture.FormatName+`"`) || strings.Contains(line, `"format": "`+capture.FormatName+`"`):
		return "capture", nil
	case line != "" && line[0] != '{' && line[0] != '[':
		return "server log", nil
	}
	return "", nil
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

// writeReportFile writes to a file (atomically, so a reader never sees half a
// report) or to standard output for "-".
func writeReportFile(path string, data []byte) error {
	if path == "-" || path == "" {
		_, err := os.Stdout.Write(data)
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
