package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's main command, end to end: every variant through the real
// proxy (log and block mode), the story's own checks, and the files it
// points the user to.
func TestDemoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and five proxies")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	if err := runDemo(context.Background(), &out, dir); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"stored balance: 500 (WRONG",
		"expected 650, stored 500: the +150 was lost",
		"SQLSTATE LU001",
		"naive read-then-write              log    650       500     RMW001×2 RMW006×1",
		"pessimistic (SELECT … FOR UPDATE)  log    650       650     none",
		"naive read-then-write              block  650       100     RMW001×2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	for _, f := range []string{"findings.jsonl", "report.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
}
