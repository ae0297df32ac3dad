package report

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

var update = flag.Bool("update", false, "rewrite testdata/findings from the samples in sample_test.go")

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// injected is what a hostile client could put in SQL or application_name; a
// report must show it as text.
const injected = `<script>document.body.setAttribute("data-pwned","1")</script><img src=x onerror="document.body.setAttribute('data-pwned','2')">`

// sampleFindings is a small, varied set: a cross-session lost update with a
// timeline, repeated RMW001s from two applications, a broken optimistic
// lock, and one whose SQL and application name carry markup.
func sampleFindings() []analyzer.Finding {
	order := analyzer.SessionInfo{ID: "s1", ApplicationName: "order", User: "app", Database: "shop"}
	referral := analyzer.SessionInfo{ID: "s2", ApplicationName: "referral", User: "app", Database: "shop"}
	var fs []analyzer.Finding
	fs = append(fs, analyzer.Finding{
		Rule: "RMW006", Name: "lost-update-observed", Severity: analyzer.SeverityError,
		Message:  "referral overwrote order's committed write to users.balance (id = 42)",
		Session:  referral,
		Sessions: []analyzer.SessionInfo{order, referral},
		Table:    "users", Key: &analyzer.RowKey{Column: "id", Value: "42"}, Columns: []string{"balance"},
		Isolation: "read committed",
		Statements: []analyzer.StatementRef{
			{Role: "read", SQL: "SELECT balance FROM users WHERE id = 42", Session: "s1", Time: t0, Result: "100"},
			{Role: "write", SQL: "UPDATE users SET balance = 500 WHERE id = 42", Session: "s2", Time: t0.Add(1900 * time.Microsecond), Tag: "UPDATE 1"},
		},
		Timeline: []analyzer.TimelineEntry{
			{Offset: 0, Session: "s1", Label: "order", SQL: "SELECT balance FROM users WHERE id=42", Result: "-> 100"},
			{Offset: 400 * time.Microsecond, Session: "s2", Label: "referral", SQL: "SELECT balance FROM users WHERE id=42", Result: "100"},
			{Offset: 1100 * time.Microsecond, Session: "s1", Label: "order", SQL: "UPDATE users SET balance=250 WHERE id=42", Result: "UPDATE 1"},
			{Offset: 1500 * time.Microsecond, Session: "s1", Label: "order", SQL: "COMMIT", Result: "COMMIT"},
			{Offset: 1900 * time.Microsecond, Session: "s2", Label: "referral", SQL: "UPDATE users SET balance=500 WHERE id=42", Result: "UPDATE 1", Note: "<- overwrites 250"},
			{Offset: 2300 * time.Microsecond, Session: "s2", Label: "referral", SQL: "COMMIT", Result: "COMMIT"},
		},
		Summary:     "expected 650, stored 500: the +150 was lost",
		Fingerprint: "rmw006-users-balance",
		Fix:         "UPDATE users SET balance = balance + 400 WHERE id = 42;",
		Time:        t0.Add(2300 * time.Microsecond),
		Action:      "log",
	})
	for i := range 5 {
		s := order
		if i%2 == 1 {
			s = referral
		}
		s.ID = fmt.Sprintf("s%d", 10+i)
		at := t0.Add(time.Duration(i) * time.Minute)
		fs = append(fs, analyzer.Finding{
			Rule: "RMW001", Name: "unguarded-read-modify-write", Severity: analyzer.SeverityWarning,
			Message: "read users.balance (id = 42), then wrote it with a value computed outside the database",
			Session: s, Table: "users", Key: &analyzer.RowKey{Column: "id", Value: "42"}, Columns: []string{"balance"},
			Isolation: "read committed",
			Statements: []analyzer.StatementRef{
				{Role: "read", SQL: fmt.Sprintf("SELECT balance FROM users WHERE id = %d", 42+i), Time: at, Result: "100"},
				{Role: "write", SQL: fmt.Sprintf("UPDATE users SET balance = %d WHERE id = %d", 250+i, 42+i), Time: at.Add(3 * time.Millisecond), Tag: "UPDATE 1"},
			},
			Fingerprint: "rmw001-users-balance",
			Fix:         "UPDATE users SET balance = balance + 150 WHERE id = $1;\n-- or lock the row while computing:\nSELECT balance FROM users WHERE id = $1 FOR UPDATE;",
			Time:        at.Add(3 * time.Millisecond),
		})
	}
	for i := range 2 {
		at := t0.Add(time.Duration(10+i) * time.Minute)
		fs = append(fs, analyzer.Finding{
			Rule: "RMW002", Name: "broken-optimistic-lock", Severity: analyzer.SeverityWarning,
			Message: "UPDATE advances orders.version without a predicate on it: it protects nothing",
			Session: analyzer.SessionInfo{ID: fmt.Sprintf("s%d", 20+i), ApplicationName: "billing", User: "billing", Database: "shop"},
			Table:   "orders", Columns: []string{"version"},
			Statements: []analyzer.StatementRef{
				{Role: "write", SQL: `UPDATE "orders" SET "status" = $1, "version" = "version" + 1 WHERE "id" = $2`, Time: at, Tag: "UPDATE 1"},
			},
			Fingerprint: "rmw002-orders-version",
			Fix:         `UPDATE "orders" SET "status" = $1, "version" = "version" + 1 WHERE "id" = $2 AND "version" = $3`,
			Time:        at,
		})
	}
	fs = append(fs, analyzer.Finding{
		Rule: "RMW001", Name: "unguarded-read-modify-write", Severity: analyzer.SeverityWarning,
		Message: "read notes.body (id = 7), then wrote it " + injected,
		Session: analyzer.SessionInfo{ID: "s30", ApplicationName: "evil " + injected, User: "u|ser", Database: "shop"},
		Table:   "notes", Key: &analyzer.RowKey{Column: "id", Value: "7"}, Columns: []string{"body"},
		Statements: []analyzer.StatementRef{
			{Role: "read", SQL: "SELECT body FROM notes WHERE id = 7 /* " + injected + " */", Time: t0},
			{Role: "write", SQL: "UPDATE notes SET body = '" + injected + " ``` ' WHERE id = 7", Time: t0.Add(time.Second), Tag: "UPDATE 1"},
		},
		Fingerprint: "rmw001-notes-body",
		Fix:         "UPDATE notes SET body = $1 WHERE id = 7 AND body = $2 -- " + injected,
		Time:        t0.Add(time.Second),
	})
	return fs
}

// sampleDocs stands in for the rules registry.
func sampleDocs(rule string) string {
	switch rule {
	case "RMW001":
		return "# Unguarded read-modify-write\n\nA session read a row and later wrote a column of it with a value\ncomputed in the application.\n\n## Fixes\n\n1. An **atomic update**: `SET balance = balance + $1`.\n2. `SELECT … FOR UPDATE` held briefly.\n- a version column with retry\n\n```sql\nUPDATE users SET balance = balance + 150 WHERE id = 42;\n```\n\nRaw <b>HTML</b> stays text. See [PostgreSQL docs](https://www.postgresql.org/docs/current/transaction-iso.html)."
	case "RMW006":
		return "Lost update observed\n\nTwo committed transactions read one version of a row and both wrote it."
	}
	return ""
}

// TestSampleFiles keeps testdata/findings in step with sampleFindings, in the
// shapes ReadFindings accepts. Run with -update to regenerate.
func TestSampleFiles(t *testing.T) {
	fs := sampleFindings()
	var jsonl strings.Builder
	for _, f := range fs {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		jsonl.Write(b)
		jsonl.WriteByte('\n')
	}
	env, err := json.MarshalIndent(map[string]any{"findings": fs}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"sample.jsonl":         jsonl.String(),
		"sample-envelope.json": string(env) + "\n",
	}
	dir := filepath.Join("..", "testdata", "findings")
	for name, want := range files {
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./report -run TestSampleFiles -update)", err)
		}
		if string(got) != want {
			t.Errorf("%s is stale: run go test ./report -run TestSampleFiles -update", path)
		}
	}
}
