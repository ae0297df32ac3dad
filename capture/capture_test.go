package capture

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

func sampleEvents() []*analyzer.Event {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	return []*analyzer.Event{
		{Kind: analyzer.EventSessionStart, Session: "s1", Time: t0, Startup: map[string]string{"user": "app", "database": "shop", "application_name": "order"}},
		{Kind: analyzer.EventQuery, Session: "s1", Time: t0, SQL: "SELECT balance FROM users WHERE id = 42"},
		{Kind: analyzer.EventRowDescription, Session: "s1", Time: t0, Columns: []analyzer.Column{{Name: "balance", TableOID: 16384, AttrNum: 2, TypeOID: 23}}},
		{Kind: analyzer.EventDataRow, Session: "s1", Time: t0, Values: [][]byte{[]byte("100")}},
		{Kind: analyzer.EventReadyForQuery, Session: "s1", Time: t0, TxStatus: 'I'},
		{Kind: analyzer.EventParse, Session: "s1", Time: t0, Statement: "S_1", SQL: "UPDATE users SET balance = $1 WHERE id = $2", ParamOIDs: []uint32{23, 23}},
		{Kind: analyzer.EventBind, Session: "s1", Time: t0, Statement: "S_1", ParamFormats: []int16{0}, Params: [][]byte{[]byte("250"), []byte("42"), nil, {}}},
		{Kind: analyzer.EventDescribe, Session: "s1", Time: t0, Target: 'P'},
		{Kind: analyzer.EventExecute, Session: "s1", Time: t0},
		{Kind: analyzer.EventError, Session: "s1", Time: t0, Severity: "ERROR", SQLState: "23505", Message: "duplicate key", Detail: "Key (id)=(42) already exists."},
		{Kind: analyzer.EventDataRow, Session: "s1", Time: t0, Values: [][]byte{{0xff, 0x00, 0x01}}},
		{Kind: analyzer.EventQuery, Session: "s1", Time: t0, SQL: "SET default_transaction_isolation = 'serializable'; UPDATE t SET a = 'x' WHERE id = 42"},
		{Kind: analyzer.EventSessionEnd, Session: "s1", Time: t0, Message: "client closed"},
	}
}

func writeAll(t *testing.T, path string, opts Options, evs []*analyzer.Event) *Writer {
	t.Helper()
	w, err := Create(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		w.Observe(ev)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w
}

func readAll(t *testing.T, path string) ([]*analyzer.Event, error) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*analyzer.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestRawRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	in := sampleEvents()
	writeAll(t, path, Options{Values: ValuesRaw}, in)
	out, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d events, wrote %d", len(out), len(in))
	}
	in[6].ParamFormats = nil // text after normalization
	for i := range in {
		if !reflect.DeepEqual(in[i], out[i]) {
			t.Errorf("event %d:\nwrote %+v\nread  %+v", i, in[i], out[i])
		}
	}
}

func TestHashModeHidesValuesAndKeepsEquality(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	writeAll(t, path, Options{Key: []byte("k")}, sampleEvents())
	raw, _ := os.ReadFile(path)
	text := string(raw)
	for _, secret := range []string{"= 42", `"42"`, `"250"`, `"100"`, "'x'", "already exists"} {
		if strings.Contains(text, secret) {
			t.Errorf("hash capture contains %s:\n%s", secret, text)
		}
	}
	if !strings.Contains(text, "'serializable'") {
		t.Errorf("SET literal was hashed; it is configuration:\n%s", text)
	}
	out, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	// 42 as a SQL literal and 42 as a bound parameter must hash equal.
	lit := out[1].SQL[strings.Index(out[1].SQL, "'")+1 : len(out[1].SQL)-1]
	if got := string(out[6].Params[1]); got != lit {
		t.Errorf("bound 42 hashed to %q, literal 42 to %q", got, lit)
	}
	if out[6].Params[2] != nil || out[6].Params[3] == nil {
		t.Errorf("NULL must stay NULL and empty must stay non-NULL: %q", out[6].Params)
	}
	if out[9].Detail != "" {
		t.Errorf("error detail kept in hash mode: %q", out[9].Detail)
	}
	// Same key, same hashes across captures; another key, other hashes.
	path2 := filepath.Join(t.TempDir(), "c2.jsonl")
	writeAll(t, path2, Options{Key: []byte("k")}, sampleEvents())
	out2, _ := readAll(t, path2)
	if out2[1].SQL != out[1].SQL {
		t.Errorf("same key gave %q and %q", out[1].SQL, out2[1].SQL)
	}
	path3 := filepath.Join(t.TempDir(), "c3.jsonl")
	writeAll(t, path3, Options{Key: []byte("other")}, sampleEvents())
	out3, _ := readAll(t, path3)
	if out3[1].SQL == out[1].SQL {
		t.Errorf("different keys gave the same hash %q", out[1].SQL)
	}
}

func TestNoneModeDropsValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	writeAll(t, path, Options{Values: ValuesNone}, sampleEvents())
	out, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if out[1].SQL != "SELECT balance FROM users WHERE id = NULL" {
		t.Errorf("SQL = %q", out[1].SQL)
	}
	for _, p := range out[6].Params {
		if p != nil {
			t.Errorf("param kept in none mode: %q", p)
		}
	}
}

func TestObserveDoesNotModifyCallersEvent(t *testing.T) {
	evs := sampleEvents()
	before := fmt.Sprintf("%+v", *evs[6])
	writeAll(t, filepath.Join(t.TempDir(), "c.jsonl"), Options{}, evs)
	if after := fmt.Sprintf("%+v", *evs[6]); after != before {
		t.Errorf("event changed by Observe:\n%s\n%s", before, after)
	}
}

func TestTruncatedLastLineIsAWarning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	writeAll(t, path, Options{Values: ValuesRaw}, sampleEvents())
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, raw[:len(raw)-10], 0o600) // cut the last line
	out, err := readAll(t, path)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
	if len(out) != len(sampleEvents())-1 {
		t.Errorf("read %d complete events, want %d", len(out), len(sampleEvents())-1)
	}
}

func TestCorruptMiddleLineNamesFileAndLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	writeAll(t, path, Options{Values: ValuesRaw}, sampleEvents())
	raw, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(raw), "\n")
	lines[3] = "{not json\n"
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	var lineErr *LineError
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.As(err, &lineErr) || errors.Is(err, ErrTruncated) {
				t.Fatalf("err = %v, want a LineError", err)
			}
			continue // keep going past it
		}
		n++
	}
	if lineErr == nil || lineErr.Line != 4 || lineErr.File != path {
		t.Fatalf("line error = %v, want %s:4", lineErr, path)
	}
	if !strings.Contains(lineErr.Error(), path+":4:") {
		t.Errorf("message %q does not name file:line", lineErr.Error())
	}
	if n != len(sampleEvents())-1 {
		t.Errorf("read %d events past the bad line, want %d", n, len(sampleEvents())-1)
	}
}

func TestRotationBySize(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.jsonl")
	var evs []*analyzer.Event
	for i := 0; i < 300; i++ {
		evs = append(evs, &analyzer.Event{Kind: analyzer.EventQuery, Session: "s", SQL: fmt.Sprintf("SELECT %d", i)})
	}
	writeAll(t, path, Options{Values: ValuesRaw, RotateBytes: 4096}, evs)
	parts, _ := filepath.Glob(path + "*")
	if len(parts) < 3 {
		t.Fatalf("parts = %v, want several", parts)
	}
	var total int
	var id string
	for i := 0; i < len(parts); i++ {
		p := path
		if i > 0 {
			p = fmt.Sprintf("%s.%d", path, i)
		}
		r, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		h := r.Header()
		if h.Part != i || (id != "" && h.Capture != id) {
			t.Errorf("%s: header %+v", p, h)
		}
		id = h.Capture
		r.Close()
		out, err := readAll(t, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 0 && i > 0 && !strings.HasPrefix(out[0].SQL, "SELECT ") {
			t.Errorf("part %d starts with %q", i, out[0].SQL)
		}
		total += len(out)
	}
	if total != len(evs) {
		t.Errorf("parts hold %d events, wrote %d", total, len(evs))
	}
}

func TestConcurrentObserveWritesWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	w, err := Create(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				w.Observe(&analyzer.Event{Kind: analyzer.EventBind, Session: fmt.Sprint(g), Params: [][]byte{[]byte(fmt.Sprint(i))}})
			}
		}(g)
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4000 || w.Written() != 4000 {
		t.Errorf("read %d, written %d; want 4000", len(out), w.Written())
	}
}

func TestNotACapture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	os.WriteFile(path, []byte(`{"format":"something"}`+"\n"), 0o600)
	if _, err := Open(path); err == nil {
		t.Fatal("opened a non-capture")
	}
}

// A value bound in binary hashes like the same value written as a literal.
func TestBinaryValuesAreNormalizedBeforeHashing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	writeAll(t, path, Options{Key: []byte("k")}, []*analyzer.Event{
		{Kind: analyzer.EventParse, Session: "s", Statement: "", SQL: "SELECT * FROM users WHERE id = $1", ParamOIDs: []uint32{23}},
		{Kind: analyzer.EventBind, Session: "s", ParamFormats: []int16{1}, Params: [][]byte{{0, 0, 0, 42}}},
		{Kind: analyzer.EventQuery, Session: "s", SQL: "SELECT * FROM users WHERE id = 42"},
	})
	out, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	lit := out[2].SQL[strings.Index(out[2].SQL, "'")+1 : len(out[2].SQL)-1]
	if got := string(out[1].Params[0]); got != lit || out[1].ParamFormats != nil {
		t.Errorf("binary 42 hashed to %q (formats %v), literal 42 to %q", got, out[1].ParamFormats, lit)
	}
}

func TestNoPasswordEverWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	ev := &analyzer.Event{Kind: analyzer.EventSessionStart, Session: "s", Startup: map[string]string{"user": "u", "password": "hunter2"}}
	writeAll(t, path, Options{Values: ValuesRaw}, []*analyzer.Event{ev})
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "hunter2") || ev.Startup["password"] != "hunter2" {
		t.Errorf("capture = %s; caller's event %v", data, ev.Startup)
	}
}

func TestHashModeHashesArrayParametersElementwise(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	evs := []*analyzer.Event{
		{Kind: analyzer.EventBind, Session: "s1", Time: time.Unix(1, 0).UTC(),
			Params: [][]byte{[]byte("{1,42,NULL}"), []byte("42"), []byte(`{"a":1}`), []byte(`{"x y",z}`)}},
	}
	writeAll(t, path, Options{Key: []byte("k")}, evs)
	out, err := readAll(t, path)
	if err != nil {
		t.Fatal(err)
	}
	p := out[0].Params
	elems := analyzer.ArrayElements(string(p[0]))
	if len(elems) != 3 || elems[2] != "NULL" {
		t.Fatalf("array hashed to %q, want three elements with NULL kept", p[0])
	}
	if elems[1] != string(p[1]) {
		t.Errorf("42 in an array hashed to %q, 42 alone to %q", elems[1], p[1])
	}
	if strings.Contains(string(p[0]), "42") && !strings.Contains(string(p[0]), "h:") {
		t.Errorf("array value leaked: %q", p[0])
	}
	if analyzer.ArrayElements(string(p[2])) != nil || !analyzer.IsHiddenValue(string(p[2])) {
		t.Errorf("a JSON object is one value, got %q", p[2])
	}
	if got := analyzer.ArrayElements(string(p[3])); len(got) != 2 || !analyzer.IsHiddenValue(got[0]) {
		t.Errorf("quoted element array hashed to %q", p[3])
	}
}
