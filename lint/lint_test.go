package lint

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/capture"
)

// fakeEngine reports a finding for every UPDATE sent with the simple protocol
// (one per distinct SQL text as fingerprint), and one more at Close.
type fakeEngine struct {
	hasResults bool
	fed        int
}

func (e *fakeEngine) Feed(ev *analyzer.Event) []analyzer.Finding {
	e.fed++
	if ev.Kind != analyzer.EventQuery || !strings.HasPrefix(ev.SQL, "UPDATE") {
		return nil
	}
	return []analyzer.Finding{{
		Rule: "RMW001", Name: "unguarded-read-modify-write", Severity: analyzer.SeverityWarning,
		Message: "users.balance written from a value read earlier", Session: analyzer.SessionInfo{ID: ev.Session, ApplicationName: "order", User: "app", Database: "shop"},
		Table: "users", Key: &analyzer.RowKey{Column: "id", Value: "42"}, Columns: []string{"balance"},
		Statements: []analyzer.StatementRef{
			{Role: "read", SQL: "SELECT balance FROM users WHERE id = 42", Time: ev.Time.Add(-time.Millisecond)},
			{Role: "write", SQL: ev.SQL, Time: ev.Time},
		},
		Fingerprint: "fp-" + ev.SQL[len(ev.SQL)-1:], Fix: "UPDATE users SET balance = balance + 150 WHERE id = 42", Time: ev.Time,
	}}
}

func (e *fakeEngine) Close() []analyzer.Finding {
	return []analyzer.Finding{{Rule: "RMW006", Name: "lost-update-observed", Severity: analyzer.SeverityError,
		Message: "lost update", Statements: []analyzer.StatementRef{}, Fingerprint: "fp-close"}}
}

var testRules = []RuleInfo{
	{ID: "RMW001", Name: "unguarded-read-modify-write", Severity: analyzer.SeverityWarning, Doc: "# Unguarded read-modify-write\n\nA session read a row and wrote it back.\n\nMore text."},
	{ID: "RMW006", Name: "lost-update-observed", Severity: analyzer.SeverityError, Doc: "# Lost update observed", NeedsResults: true},
}

func testOptions(engines *[]*fakeEngine) Options {
	return Options{
		Rules: testRules,
		NewEngine: func(hasResults bool) (Engine, error) {
			e := &fakeEngine{hasResults: hasResults}
			if engines != nil {
				*engines = append(*engines, e)
			}
			return e, nil
		},
	}
}

// writeCapture writes a capture whose 4th line (3rd event) is an UPDATE.
func writeCapture(t *testing.T, dir string, updates ...string) string {
	t.Helper()
	path := filepath.Join(dir, "c.jsonl")
	w, err := capture.Create(path, capture.Options{Values: capture.ValuesRaw})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w.Observe(&analyzer.Event{Kind: analyzer.EventSessionStart, Session: "s1", Time: t0})
	w.Observe(&analyzer.Event{Kind: analyzer.EventQuery, Session: "s1", Time: t0.Add(time.Millisecond), SQL: "SELECT balance FROM users WHERE id = 42"})
	for i, u := range updates {
		w.Observe(&analyzer.Event{Kind: analyzer.EventQuery, Session: "s1", Time: t0.Add(time.Duration(2+i) * time.Millisecond), SQL: u})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCollectCapture(t *testing.T) {
	path := writeCapture(t, t.TempDir(), "UPDATE users SET balance = 250 WHERE id = 4", "UPDATE users SET balance = 9 WHERE id = 5")
	var engines []*fakeEngine
	res, err := Collect(context.Background(), []string{path}, testOptions(&engines))
	if err != nil {
		t.Fatal(err)
	}
	if len(engines) != 1 || !engines[0].hasResults || engines[0].fed != 4 {
		t.Fatalf("engines = %+v", engines)
	}
	if len(res.Findings) != 3 || res.Events != 4 {
		t.Fatalf("findings %d, events %d", len(res.Findings), res.Events)
	}
	if res.Locations[0].Line != 4 || res.Locations[1].Line != 5 || res.Locations[0].Input != path {
		t.Errorf("locations = %+v, want lines 4 and 5 of %s", res.Locations, path)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("rules skipped on a capture: %v", res.Skipped)
	}
}

func TestCorruptLineIsAnInputErrorUnlessKeepGoing(t *testing.T) {
	dir := t.TempDir()
	path := writeCapture(t, dir, "UPDATE users SET balance = 250 WHERE id = 4")
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	lines[2] = "{oops\n"
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)

	_, err := Collect(context.Background(), []string{path}, testOptions(nil))
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), path+":3:") {
		t.Fatalf("err = %v, want an InputError naming %s:3", err, path)
	}
	opts := testOptions(nil)
	opts.KeepGoing = true
	res, err := Collect(context.Background(), []string{path}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], ":3:") || len(res.Findings) != 2 {
		t.Errorf("warnings %q, findings %d", res.Warnings, len(res.Findings))
	}
}

func TestTruncatedLastLineIsAWarning(t *testing.T) {
	path := writeCapture(t, t.TempDir(), "UPDATE users SET balance = 250 WHERE id = 4", "UPDATE users SET balance = 1 WHERE id = 5")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-20], 0o600)
	res, err := Collect(context.Background(), []string{path}, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "truncated") || len(res.Findings) != 2 {
		t.Errorf("warnings %q, findings %d", res.Warnings, len(res.Findings))
	}
}

func TestServerLogSaysWhichRulesCannotRun(t *testing.T) {
	var engines []*fakeEngine
	res, err := Collect(context.Background(), []string{"../testdata/serverlogs/pgx-stderr.log"}, testOptions(&engines))
	if err != nil {
		t.Fatal(err)
	}
	if len(engines) != 1 || engines[0].hasResults {
		t.Errorf("server log engine hasResults = %v", engines[0].hasResults)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].ID != "RMW006" {
		t.Errorf("skipped = %+v", res.Skipped)
	}
	if res.Inputs[0].KindName != "stderr log" || res.Events == 0 {
		t.Errorf("inputs = %+v", res.Inputs)
	}
}

func TestInputKinds(t *testing.T) {
	dir := t.TempDir()
	cap := writeCapture(t, dir)
	jl := filepath.Join(dir, "findings.jsonl")
	os.WriteFile(jl, []byte(`{"rule":"RMW001","name":"x","severity":"warning","message":"m","session":{"id":"1"},"statements":[],"fingerprint":"f1","time":"2026-01-01T00:00:00Z"}`+"\n"), 0o644)
	env := filepath.Join(dir, "lint.json")
	os.WriteFile(env, []byte("{\n  \"findings\": [\n {\"rule\":\"RMW002\",\"severity\":\"error\",\"fingerprint\":\"f2\",\"statements\":[]}]}\n"), 0o644)
	junk := filepath.Join(dir, "junk.txt")
	os.WriteFile(junk, []byte("hello\nworld\n"), 0o644)
	for path, want := range map[string]string{
		cap: "capture", jl: "findings", env: "findings",
		"../testdata/serverlogs/pgx-stderr.log":   "stderr log",
		"../testdata/serverlogs/pgx-csvlog.csv":   "csvlog",
		"../testdata/serverlogs/pgx-jsonlog.json": "jsonlog",
	} {
		res, err := Collect(context.Background(), []string{path}, testOptions(nil))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := res.Inputs[0].KindName; got != want {
			t.Errorf("%s: kind %s, want %s", path, got, want)
		}
	}
	res, _ := Collect(context.Background(), []string{jl, env}, testOptions(nil))
	if res == nil || len(res.Findings) != 2 || res.Findings[1].Severity != analyzer.SeverityError {
		t.Errorf("findings files: %+v", res)
	}
	if _, err := Collect(context.Background(), []string{junk}, testOptions(nil)); err == nil {
		t.Error("junk accepted")
	}
	if _, err := Collect(context.Background(), []string{filepath.Join(dir, "missing")}, testOptions(nil)); err == nil {
		t.Error("missing file accepted")
	}
}

func TestStdin(t *testing.T) {
	path := writeCapture(t, t.TempDir(), "UPDATE users SET balance = 250 WHERE id = 4")
	data, _ := os.ReadFile(path)
	opts := testOptions(nil)
	opts.Stdin = bytes.NewReader(data)
	res, err := Collect(context.Background(), []string{"-"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 || res.Locations[0].Input != "-" || res.Locations[0].Line != 4 {
		t.Errorf("findings %d, location %+v", len(res.Findings), res.Locations)
	}
}

func TestCapturePartsAreReadInOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.jsonl")
	w, err := capture.Create(path, capture.Options{Values: capture.ValuesRaw, RotateBytes: 300})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		w.Observe(&analyzer.Event{Kind: analyzer.EventQuery, Session: "s", Time: time.Unix(int64(i), 0), SQL: "SELECT " + strings.Repeat("x", i)})
	}
	w.Close()
	parts, _ := filepath.Glob(path + "*")
	if len(parts) < 3 {
		t.Fatalf("parts %v", parts)
	}
	// Reverse order on the command line.
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	var seen []time.Time
	opts := testOptions(nil)
	opts.NewEngine = func(bool) (Engine, error) {
		return engineFunc(func(ev *analyzer.Event) { seen = append(seen, ev.Time) }), nil
	}
	if _, err := Collect(context.Background(), parts, opts); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 30 {
		t.Fatalf("saw %d events", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Before(seen[i-1]) {
			t.Fatalf("events out of order at %d: %v", i, seen)
		}
	}
}

type engineFunc func(*analyzer.Event)

func (f engineFunc) Feed(ev *analyzer.Event) []analyzer.Finding { f(ev); return nil }
func (f engineFunc) Close() []analyzer.Finding                  { return nil }

func sampleReport(t *testing.T) *Report {
	t.Helper()
	path := writeCapture(t, t.TempDir(), "UPDATE users SET balance = 250 WHERE id = 4", "UPDATE users SET balance = 7 WHERE id = 5")
	res, err := Collect(context.Background(), []string{path}, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	return &Report{Result: res, Rules: testRules, Version: "test"}
}

func TestJSONOutputIsTheFindings(t *testing.T) {
	r := sampleReport(t)
	var b bytes.Buffer
	if err := Write(&b, FormatJSON, r, false); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Findings []analyzer.Finding `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != 3 || out.Findings[0].Session.ApplicationName != "order" || out.Findings[0].Key.Value != "42" {
		t.Errorf("json findings = %+v", out.Findings)
	}
}

func TestTextOutputGroups(t *testing.T) {
	r := sampleReport(t)
	var b bytes.Buffer
	if err := Write(&b, FormatText, r, false); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"RMW006 lost-update-observed (error): 1 occurrence in 1 code path",
		"RMW001 unguarded-read-modify-write (warning): 2 occurrences in 2 code paths",
		"write: UPDATE users SET balance = 250 WHERE id = 4",
		"fix:   UPDATE users SET balance = balance + 150 WHERE id = 42",
		"in order (app@shop)",
		"3 findings in 3 code paths",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "RMW006") > strings.Index(text, "RMW001") {
		t.Error("errors must come before warnings")
	}
	if strings.Contains(text, "\x1b[") {
		t.Error("colour without a terminal")
	}
	b.Reset()
	Write(&b, FormatText, r, true)
	if !strings.Contains(b.String(), "\x1b[") {
		t.Error("no colour when asked")
	}
}

func TestGitHubAnnotations(t *testing.T) {
	r := sampleReport(t)
	var b bytes.Buffer
	if err := Write(&b, FormatGitHub, r, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("annotations:\n%s", b.String())
	}
	if !strings.HasPrefix(lines[0], "::error title=RMW006 lost-update-observed") {
		t.Errorf("first = %s", lines[0])
	}
	if !strings.HasPrefix(lines[1], "::warning title=RMW001 unguarded-read-modify-write,file=") || !strings.Contains(lines[1], ",line=4::") {
		t.Errorf("second = %s", lines[1])
	}
	if !strings.Contains(lines[1], "%0Awrite: UPDATE") {
		t.Errorf("newlines not escaped: %s", lines[1])
	}
	if got := escapeProperty("a:b,c%"); got != "a%3Ab%2Cc%25" {
		t.Errorf("escapeProperty = %s", got)
	}
}

func TestBaseline(t *testing.T) {
	r := sampleReport(t)
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := NewBaseline(r.Findings[:2]).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.Filter(r.Result); n != 2 || len(r.Findings) != 1 || r.Findings[0].Fingerprint != "fp-close" || len(r.Locations) != 1 {
		t.Errorf("filtered %d, left %+v", n, r.Findings)
	}
	if _, err := LoadBaseline("lint_test.go"); err == nil {
		t.Error("loaded a non-baseline")
	}
}

func TestFailOn(t *testing.T) {
	fs := []analyzer.Finding{{Severity: analyzer.SeverityInfo}, {Severity: analyzer.SeverityWarning}}
	for s, want := range map[string]int{"none": 0, "info": 2, "warning": 1, "error": 0} {
		th, err := ParseFailOn(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Failing(fs, th); got != want {
			t.Errorf("fail-on %s: %d failing, want %d", s, got, want)
		}
	}
	if _, err := ParseFailOn("sometimes"); err == nil {
		t.Error("bad --fail-on accepted")
	}
}

func TestTextTimeline(t *testing.T) {
	r := &Report{Result: &Result{Findings: []analyzer.Finding{{
		Rule: "RMW006", Name: "lost-update-observed", Severity: analyzer.SeverityError, Message: "lost update", Fingerprint: "f",
		Timeline: []analyzer.TimelineEntry{
			{Offset: 0, Label: "order", SQL: "SELECT balance FROM users WHERE id=42", Result: "-> 100"},
			{Offset: 1900 * time.Microsecond, Label: "referral", SQL: "UPDATE users SET balance=500 WHERE id=42", Result: "UPDATE 1", Note: "overwrites 250"},
		},
		Summary: "expected 650, stored 500: the +150 was lost",
	}}}}
	var b bytes.Buffer
	if err := Write(&b, FormatText, r, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"t+0.0ms  [order]     SELECT balance FROM users WHERE id=42  -> 100",
		"t+1.9ms  [referral]  UPDATE users SET balance=500 WHERE id=42  UPDATE 1  <- overwrites 250",
		"expected 650, stored 500: the +150 was lost",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestGzippedInput(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../testdata/serverlogs/pgx-jsonlog.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "postgresql.json.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	os.WriteFile(path, b.Bytes(), 0o644)
	res, err := Collect(context.Background(), []string{path}, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	if res.Inputs[0].KindName != "jsonlog" || res.Events < 20 {
		t.Errorf("inputs = %+v", res.Inputs)
	}
}

// A server log that cannot show a read-modify-write (no statements, or
// writes without reads as log_statement = 'mod' writes) says so instead of
// passing silently; a log with reads and writes does not.
func TestServerLogWithoutReadsIsAWarning(t *testing.T) {
	dir := t.TempDir()
	prefix := "2026-11-25 18:14:41.000 UTC [3001] 6b072591.bb9 00000 app@db psql "
	write := func(name string, lines ...string) string {
		var b strings.Builder
		b.WriteString(prefix + "LOG:  connection authorized: user=app database=db application_name=psql\n")
		for _, l := range lines {
			b.WriteString(prefix + "LOG:  " + l + "\n")
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"none.log", nil, "no statements"},
		{"mod.log", []string{"statement: UPDATE users SET balance = 250 WHERE id = 42",
			"statement: INSERT INTO audit VALUES (1)"}, "2 writes and no reads"},
		{"all.log", []string{"statement: SELECT balance FROM users WHERE id = 42",
			"statement: UPDATE users SET balance = 250 WHERE id = 42"}, ""},
	} {
		res, err := Collect(context.Background(), []string{write(c.name, c.lines...)}, testOptions(nil))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := strings.Join(res.Warnings, "\n")
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: warnings %q, want %q", c.name, got, c.want)
		}
	}
}
