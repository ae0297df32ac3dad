package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "testdata", "findings", "sample.jsonl")
	envelope := filepath.Join("..", "..", "testdata", "findings", "sample-envelope.json")

	html := filepath.Join(dir, "r.html")
	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--out", html, sample}); code != 0 {
		t.Fatalf("report html: exit %d", code)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), `<section class="group `) {
		t.Fatalf("no HTML report written (err %v)", err)
	}
	// Rule docs come from the rules registry.
	if !strings.Contains(string(page), "About RMW001: A row was read") {
		t.Error("RMW001's doc is not embedded")
	}

	md := filepath.Join(dir, "r.md")
	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--format", "markdown", "--out", md, sample, envelope}); code != 0 {
		t.Fatalf("report markdown: exit %d", code)
	}
	text, _ := os.ReadFile(md)
	// The two files hold the same 9 findings: counts add up across inputs.
	if !strings.Contains(string(text), "**18 findings** in **4 distinct problems**") {
		t.Errorf("markdown over two inputs:\n%.400s", text)
	}

	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--format", "pdf", sample}); code != 2 {
		t.Errorf("bad format: exit %d, want 2", code)
	}
	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--out", filepath.Join(dir, "x.html"), filepath.Join(dir, "missing.jsonl")}); code != 2 {
		t.Errorf("missing input: exit %d, want 2", code)
	}
}

// A capture and a server log go through the analyzer, like lint.
func TestReportCommandCaptureAndServerLog(t *testing.T) {
	dir := t.TempDir()
	for _, in := range []string{
		filepath.Join("..", "..", "testdata", "captures", "loyalty-race.jsonl"),
		filepath.Join("..", "..", "testdata", "serverlogs", "pgx-stderr.log"),
	} {
		out := filepath.Join(dir, filepath.Base(in)+".md")
		if code := run([]string{"pgrmw", "--log-level", "error", "report", "--format", "markdown", "--out", out, in}); code != 0 {
			t.Fatalf("report %s: exit %d", in, code)
		}
		text, _ := os.ReadFile(out)
		if !strings.Contains(string(text), "`RMW001` unguarded-read-modify-write") {
			t.Errorf("%s: no RMW001 group in\n%.600s", in, text)
		}
	}
}
