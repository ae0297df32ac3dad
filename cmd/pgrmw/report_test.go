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

	md := filepath.Join(dir, "r.md")
	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--format", "markdown", "--out", md, sample, envelope}); code != 0 {
		t.Fatalf("report markdown: exit %d", code)
	}
	text, _ := os.ReadFile(md)
	// The two files hold the same 9 findings: counts add up across inputs.
	if !strings.Contains(string(text), "**18 findings** in **4 distinct problems**") {
		t.Errorf("markdown over two inputs:\n%.400s", text)
	}

	capturePath := filepath.Join(dir, "c.jsonl")
	os.WriteFile(capturePath, []byte(`{"format":"pgrmw-capture","version":1}`+"\n"), 0o644)
	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--out", filepath.Join(dir, "x.html"), capturePath}); code != 2 {
		t.Errorf("capture input: exit %d, want 2 with advice to lint first", code)
	}
	if code := run([]string{"pgrmw", "--log-level", "error", "report", "--format", "pdf", sample}); code != 2 {
		t.Errorf("bad format: exit %d, want 2", code)
	}
}
