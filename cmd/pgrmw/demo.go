package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/demo"
	"github.com/pgrmw/pgrmw/internal/pgtest"
	"github.com/pgrmw/pgrmw/proxy"
	"github.com/pgrmw/pgrmw/report"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "play a lost update through the proxy against a throwaway PostgreSQL, and the three fixes",
		Description: "Starts a temporary PostgreSQL (initdb into a temp dir), runs two services that credit loyalty\n" +
			"points to the same user at the same moment through pgrmw, in five variants, and writes the\n" +
			"findings and an HTML report to --out. Exits non-zero if any variant does not end as it should.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: filepath.Join("out", "demo"), Usage: "`dir` for findings.jsonl and report.html"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("demo: unexpected argument %q", c.Args().First())
			}
			return runDemo(c.Context, os.Stdout, c.String("out"))
		},
	}
}

// demoRun is one variant's outcome.
type demoRun struct {
	variant  demo.Variant
	mode     string
	results  []demo.ServiceResult
	balance  int
	expected int
	findings []analyzer.Finding
}

func runDemo(ctx context.Context, w io.Writer, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	findingsPath := filepath.Join(outDir, "findings.jsonl")
	os.Remove(findingsPath)

	fmt.Fprintf(w, "pgrmw demo — the lost update\n\n")
	fmt.Fprintf(w, "User %d, Priya, has %d loyalty points. The Order Service credits %d for a purchase while\n", demo.UserID, demo.InitialBalance, demo.OrderCredit)
	fmt.Fprintf(w, "the Referral Service credits %d for a referral, at the same moment, each through its own\n", demo.ReferralCredit)
	fmt.Fprintf(w, "connection: read the balance, add, write it back. %d is owed.\n\n", demo.Expected)
	fmt.Fprintf(w, "Starting a throwaway PostgreSQL… ")
	srv, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer srv.Stop()
	fmt.Fprintf(w, "listening on %s\n", srv.Addr())

	plan := []struct {
		variant  demo.Variant
		mode     string
		expected int
	}{
		{demo.Naive, "log", demo.InitialBalance + demo.ReferralCredit},
		{demo.Optimistic, "log", demo.Expected},
		{demo.Pessimistic, "log", demo.Expected},
		{demo.Atomic, "log", demo.Expected},
		{demo.Naive, "block", demo.InitialBalance},
	}
	var runs []demoRun
	for i, p := range plan {
		fmt.Fprintf(w, "\n── %d. %s, pgrmw in %s mode ──\n", i+1, p.variant, p.mode)
		run, err := demoVariant(ctx, srv, p.variant, p.mode, findingsPath)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p.variant, err)
		}
		run.expected = p.expected
		printDemoRun(w, run)
		runs = append(runs, run)
	}

	fmt.Fprintf(w, "\n── Summary ──\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\tmode\texpected\tstored\tfindings")
	var all []analyzer.Finding
	for _, r := range runs {
		all = append(all, r.findings...)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", r.variant, r.mode, demo.Expected, r.balance, findingCounts(r.findings))
	}
	tw.Flush()

	reportPath := filepath.Join(outDir, "report.html")
	if err := writeDemoReport(reportPath, all); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(w, "\nFindings (one JSON object per line): %s\nReport to open in a browser:        %s\n", findingsPath, reportPath)

	if problems := checkDemo(runs); len(problems) > 0 {
		return fmt.Errorf("demo: the story did not go as it should:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// demoVariant runs both services through a fresh proxy in front of srv.
func demoVariant(ctx context.Context, srv *pgtest.Server, v demo.Variant, mode, findingsPath string) (demoRun, error) {
	run := demoRun{variant: v, mode: mode}
	direct := srv.URL("postgres")
	if err := demo.Reset(ctx, direct); err != nil {
		return run, err
	}
	// The narrative is ours to print; the analysis logs stay quiet unless asked.
	quiet := logger
	if logger.GetLevel() > zerolog.DebugLevel {
		quiet = zerolog.Nop()
	}
	l, err := startLive(liveOptions{Config: analyzer.DefaultConfig(), Mode: mode, FindingsPath: findingsPath, Logger: quiet})
	if err != nil {
		return run, err
	}
	var mu sync.Mutex
	l.sink.OnRecord(func(f analyzer.Finding) {
		mu.Lock()
		run.findings = append(run.findings, f)
		mu.Unlock()
	})
	cfg := proxy.Config{Upstream: direct, Logger: quiet}
	l.attach(&cfg)
	p, err := proxy.New(cfg)
	if err != nil {
		l.Close()
		return run, err
	}
	l.proxy.Store(p)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.Close()
		return run, fmt.Errorf("listen: %w", err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- p.Serve(serveCtx, ln) }()

	dsn := fmt.Sprintf("postgres://%s@%s/postgres?sslmode=disable", srv.User, ln.Addr())
	run.results, err = demo.Race(ctx, dsn, v)
	stop()
	if serr := <-served; serr != nil && !errors.Is(serr, context.Canceled) && err == nil {
		err = serr
	}
	if cerr := l.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return run, err
	}
	run.balance, err = demo.Balance(ctx, direct)
	sort.SliceStable(run.findings, func(i, j int) bool { return run.findings[i].Time.Before(run.findings[j].Time) })
	return run, err
}

func printDemoRun(w io.Writer, r demoRun) {
	for _, s := range r.results {
		switch {
		case s.Err != nil:
			fmt.Fprintf(w, "  %-17s +%d: %v\n", s.Service, s.Credit, s.Err)
		case s.Attempts > 1:
			fmt.Fprintf(w, "  %-17s +%d: written after %d attempts (optimistic conflict, re-read, retried)\n", s.Service, s.Credit, s.Attempts)
		default:
			fmt.Fprintf(w, "  %-17s +%d: written\n", s.Service, s.Credit)
		}
	}
	verdict := "correct"
	switch {
	case r.balance != demo.Expected && r.mode == "block" && r.balance == demo.InitialBalance:
		verdict = "unchanged: the unsafe writes were refused, nothing silently lost"
	case r.balance != demo.Expected:
		verdict = fmt.Sprintf("WRONG: %d points silently lost", demo.Expected-r.balance)
	}
	fmt.Fprintf(w, "  stored balance: %d (%s)\n", r.balance, verdict)
	if len(r.findings) == 0 {
		fmt.Fprintf(w, "  pgrmw: no findings\n")
		return
	}
	for _, f := range r.findings {
		who := f.Session.ApplicationName
		if who == "" {
			who = f.Session.ID
		}
		action := ""
		if f.Action == "block" {
			action = " [blocked]"
		}
		fmt.Fprintf(w, "  pgrmw %s %s%s (%s): %s\n", f.Rule, f.Severity, action, who, f.Message)
		for _, t := range f.Timeline {
			line := fmt.Sprintf("      t+%.1fms  [%s]  %s", float64(t.Offset)/float64(time.Millisecond), t.Label, t.SQL)
			if t.Result != "" {
				line += "  " + t.Result // "-> 100" for a read, "UPDATE 1" for a write
			}
			if t.Note != "" {
				line += "  <- " + strings.TrimPrefix(t.Note, "<- ")
			}
			fmt.Fprintln(w, line)
		}
		if f.Summary != "" {
			fmt.Fprintf(w, "      %s\n", f.Summary)
		}
		if f.Fix != "" && f.Rule != "RMW006" {
			fmt.Fprintf(w, "      fix: %s\n", strings.ReplaceAll(f.Fix, "\n", "\n           "))
		}
	}
}

func findingCounts(fs []analyzer.Finding) string {
	if len(fs) == 0 {
		return "none"
	}
	counts := map[string]int{}
	var ids []string
	for _, f := range fs {
		if counts[f.Rule] == 0 {
			ids = append(ids, f.Rule)
		}
		counts[f.Rule]++
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s×%d", id, counts[id])
	}
	return strings.Join(parts, " ")
}

// checkDemo compares each variant with the story it must tell.
func checkDemo(runs []demoRun) []string {
	var problems []string
	for _, r := range runs {
		name := fmt.Sprintf("%s (%s mode)", r.variant, r.mode)
		if r.balance != r.expected {
			problems = append(problems, fmt.Sprintf("%s: stored %d, expected %d", name, r.balance, r.expected))
		}
		rules := map[string]int{}
		for _, f := range r.findings {
			rules[f.Rule]++
		}
		unsafe := r.variant == demo.Naive
		switch {
		case unsafe && rules["RMW001"] < 2:
			problems = append(problems, fmt.Sprintf("%s: want RMW001 for each service, got %s", name, findingCounts(r.findings)))
		case unsafe && r.mode == "log" && rules["RMW006"] < 1:
			problems = append(problems, fmt.Sprintf("%s: want RMW006 (lost update observed), got %s", name, findingCounts(r.findings)))
		case !unsafe && len(r.findings) > 0:
			problems = append(problems, fmt.Sprintf("%s: want no finding, got %s", name, findingCounts(r.findings)))
		}
		for _, s := range r.results {
			refused := r.mode == "block" && s.Err != nil
			if s.Err != nil && !refused {
				problems = append(problems, fmt.Sprintf("%s: %s failed: %v", name, s.Service, s.Err))
			}
			if r.mode == "block" && s.Err == nil {
				problems = append(problems, fmt.Sprintf("%s: %s's unsafe write was not refused", name, s.Service))
			}
		}
	}
	return problems
}

func writeDemoReport(path string, findings []analyzer.Finding) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	err = report.HTML(f, report.GroupFindings(findings), report.Options{Title: "pgrmw demo: the lost update", Source: "pgrmw demo", Docs: ruleDoc})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}
