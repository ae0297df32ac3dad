package serverlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pgrmw/pgrmw/analyzer"
)

func TestParseParameters(t *testing.T) {
	got, err := parseParameters(`parameters: $1 = '42', $2 = NULL, $3 = 'it''s, $4 = x', $4 = ''`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("42"), nil, []byte("it's, $4 = x"), {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := parseParameters(`parameters: $1 = '4`); err == nil {
		t.Error("unterminated value accepted")
	}
}

func readString(t *testing.T, log string, opts Options) []*analyzer.Event {
	t.Helper()
	r, err := NewReader(strings.NewReader(log), "test.log", opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []*analyzer.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
}

// PostgreSQL's default prefix has only a pid: sessions are told apart by
// connection lines, and multi-line statements continue with a tab.
func TestDefaultPrefixPidSessions(t *testing.T) {
	log := strings.Join([]string{
		"2026-01-02 03:04:05.100 UTC [77] LOG:  connection received: host=127.0.0.1 port=5000",
		"2026-01-02 03:04:05.101 UTC [77] LOG:  connection authorized: user=app database=shop application_name=order svc",
		"2026-01-02 03:04:05.102 UTC [77] LOG:  statement: SELECT balance",
		"\tFROM users",
		"\tWHERE id = 42",
		"2026-01-02 03:04:05.103 UTC [77] LOG:  execute <unnamed>: UPDATE users SET balance = $1 WHERE id = $2",
		"2026-01-02 03:04:05.103 UTC [77] DETAIL:  parameters: $1 = '250', $2 = '42'",
		"2026-01-02 03:04:05.104 UTC [77] ERROR:  something failed",
		"2026-01-02 03:04:05.104 UTC [77] STATEMENT:  UPDATE users SET balance = $1 WHERE id = $2",
		"2026-01-02 03:04:05.105 UTC [77] LOG:  disconnection: session time: 0:00:00.005 user=app database=shop host=127.0.0.1 port=5000",
		"2026-01-02 03:04:06.000 UTC [77] LOG:  connection received: host=127.0.0.1 port=5001",
		"2026-01-02 03:04:06.001 UTC [77] LOG:  statement: SELECT 1",
		"2026-01-02 03:04:06.002 UTC [12] LOG:  checkpoint starting: time",
		"",
	}, "\n")
	evs := readString(t, log, Options{})
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Session+" "+ev.Kind.String())
	}
	const s1, s2 = "pid-77-20260102T030405.100", "pid-77-20260102T030406.000"
	want := []string{
		s1 + " session_start", s1 + " query",
		s1 + " parse", s1 + " bind", s1 + " execute", s1 + " sync", s1 + " error",
		s1 + " session_end",
		s2 + " session_start", s2 + " query",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if evs[0].Startup["application_name"] != "order svc" || evs[0].Startup["user"] != "app" {
		t.Errorf("startup = %v", evs[0].Startup)
	}
	if evs[1].SQL != "SELECT balance\nFROM users\nWHERE id = 42" {
		t.Errorf("multi-line SQL = %q", evs[1].SQL)
	}
	if string(evs[3].Params[0]) != "250" || evs[1].Time.Nanosecond() != 102e6 {
		t.Errorf("bind params %q, time %v", evs[3].Params, evs[1].Time)
	}
}

func TestExplicitPrefix(t *testing.T) {
	log := "1767323045.123 sess=abc.1 LOG:  statement: SELECT 1\n"
	evs := readString(t, log, Options{LinePrefix: "%n sess=%c "})
	if len(evs) != 2 || evs[1].Session != "abc.1" || evs[1].Time.Unix() != 1767323045 {
		t.Fatalf("events = %+v", evs)
	}
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]Format{
		`{"timestamp":"2026-01-02 03:04:05.678 UTC","pid":1,"error_severity":"LOG","message":"x"}`:                                                                                      FormatJSON,
		`2026-01-02 03:04:05.678 UTC,"postgres","db",123,"127.0.0.1:5",abc.1,1,"idle",2026-01-02 03:04:05 UTC,3/4,0,LOG,00000,"statement: SELECT 1",,,,,,,,,"psql","client backend",,0`: FormatCSV,
		`2026-01-02 03:04:05.678 UTC [123] LOG:  statement: SELECT 1, 2`:                                                                                                                FormatStderr,
		`{"format":"pgrmw-capture","version":1}`: FormatUnknown,
	} {
		if got := Detect([]byte(line)); got != want {
			t.Errorf("Detect(%.40q) = %v, want %v", line, got, want)
		}
	}
}

// The committed fixtures (written by the real-server test with -update) read
// the same in all three formats.
func TestFixtures(t *testing.T) {
	count := map[string]int{}
	for _, f := range []string{"pgx-stderr.log", "pgx-csvlog.csv", "pgx-jsonlog.json"} {
		evs, _ := readEvents(t, "../testdata/serverlogs/"+f)
		for _, ev := range evs {
			count[f+" "+ev.Kind.String()]++
		}
		if count[f+" bind"] != 3 || count[f+" parse"] != 2 || count[f+" error"] != 1 {
			t.Errorf("%s: %v", f, count)
		}
	}
}

func TestMalformedAndTruncatedRecords(t *testing.T) {
	for _, f := range []string{"pgx-jsonlog.json", "pgx-csvlog.csv"} {
		data, err := os.ReadFile("../testdata/serverlogs/" + f)
		if err != nil {
			t.Fatal(err)
		}
		// Cut inside the last record.
		cut := string(data[:len(data)-40])
		if f == "pgx-csvlog.csv" {
			// A csvlog record cut inside a quoted field.
			cut = string(data[:bytes.LastIndex(data, []byte(`"disconnection`))+5])
		}
		_, err = readAllEvents(cut, f)
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("%s cut short: err = %v, want ErrTruncated", f, err)
		}
		if f != "pgx-jsonlog.json" {
			continue
		}
		lines := strings.SplitAfter(string(data), "\n")
		lines[5] = "{\"timestamp\": oops\n"
		evs, err := readAllEvents(strings.Join(lines, ""), f)
		var le *LineError
		if !errors.As(err, &le) || le.Line != 6 || errors.Is(err, ErrTruncated) {
			t.Errorf("%s with a bad line 6: err = %v", f, err)
		}
		if len(evs) < 10 {
			t.Errorf("reading did not go on past the bad line: %d events", len(evs))
		}
	}
}

// readAllEvents reads every event, going on past line errors; it returns the
// first error.
func readAllEvents(log, name string) ([]*analyzer.Event, error) {
	r, err := NewReader(strings.NewReader(log), name, Options{})
	if err != nil {
		return nil, err
	}
	var out []*analyzer.Event
	var first error
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out, first
		}
		if err != nil {
			if first == nil {
				first = err
			}
			if errors.Is(err, ErrTruncated) {
				return out, first
			}
			continue
		}
		out = append(out, ev)
	}
}

func TestDurationLines(t *testing.T) {
	p := "2026-01-02 03:04:05.100 UTC [7] a.1 00000 app@shop order "
	q := "2026-01-02 03:04:05.100 UTC [8] b.2 00000 app@shop other "
	log := strings.Join([]string{
		// Session s.1 logs with log_min_duration_statement only.
		p + "LOG:  duration: 0.050 ms  parse S_1: SELECT balance FROM users WHERE id = $1",
		p + "LOG:  duration: 0.040 ms  bind S_1: SELECT balance FROM users WHERE id = $1",
		p + "DETAIL:  parameters: $1 = '42'",
		p + "LOG:  duration: 0.120 ms  execute S_1: SELECT balance FROM users WHERE id = $1",
		p + "DETAIL:  parameters: $1 = '42'",
		p + "LOG:  duration: 0.300 ms  statement: UPDATE users SET balance = 250 WHERE id = 42",
		// Session s.2 has both settings: each statement once.
		q + "LOG:  statement: SELECT 1",
		q + "LOG:  duration: 0.010 ms  statement: SELECT 1",
		"",
	}, "\n")
	var got []string
	for _, ev := range readString(t, log, Options{}) {
		got = append(got, ev.Session+" "+ev.Kind.String()+" "+ev.SQL+fmt.Sprintf("%q", ev.Params))
	}
	want := []string{
		"a.1 session_start []", "a.1 parse SELECT balance FROM users WHERE id = $1[]", `a.1 bind ["42"]`, "a.1 execute []", "a.1 sync []",
		"a.1 query UPDATE users SET balance = 250 WHERE id = 42[]",
		"b.2 session_start []", "b.2 query SELECT 1[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
