package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pgrmw/pgrmw/analyzer"
)

// captureLines writes events (raw values) and returns the event lines.
func captureLines(t testing.TB, evs []*analyzer.Event) [][]byte {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	w, err := Create(path, Options{Values: ValuesRaw})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		w.Observe(ev)
	}
	w.Close()
	data, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	return lines[1:]
}

func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	evs := sampleEvents()
	evs = append(evs,
		&analyzer.Event{Kind: analyzer.EventQuery, Session: "s", SQL: "SELECT 'é', \"q\\\"\", E'\\n\\t' /* ☃ 𝄞 */ -- \x01"},
		&analyzer.Event{Kind: analyzer.EventDataRow, Session: "s", Values: [][]byte{[]byte("a\"b\\c\n"), nil, {}, {0xff, 0xfe}, []byte("<&>")}},
		&analyzer.Event{Kind: analyzer.EventExecute, Session: "s", Portal: "p", MaxRows: 10},
		&analyzer.Event{Kind: analyzer.EventRowDescription, Session: "s", Columns: []analyzer.Column{{Name: "x", Format: 1}}},
		&analyzer.Event{Kind: analyzer.EventParameterStatus, Session: "s", Name: "TimeZone", Value: "Europe/Paris"},
		&analyzer.Event{Kind: analyzer.EventClose, Session: "s", Target: 'S', Statement: "S_9"},
	)
	for i, line := range captureLines(t, evs) {
		fast, err := fastDecode(line)
		if err != nil {
			t.Errorf("line %d: fast decoder refused %s: %v", i, line, err)
			continue
		}
		slow, err := jsonDecodeEvent(line)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("line %d %s:\nfast %+v\njson %+v", i, line, fast, slow)
		}
	}
}

func TestFastDecodeFallsBack(t *testing.T) {
	// An unknown field (a newer writer) and spacing: encoding/json reads it.
	line := []byte(` { "kind" : "query", "sql": "SELECT 1", "future_field": {"a": [1, 2]} } `)
	if _, err := fastDecode(line); err == nil {
		t.Fatal("fast decoder accepted an unknown field")
	}
	ev, err := decodeEvent(line)
	if err != nil || ev.SQL != "SELECT 1" || ev.Kind != analyzer.EventQuery {
		t.Fatalf("decodeEvent = %+v, %v", ev, err)
	}
	for _, bad := range []string{`{"kind":"query"`, `{"kind":"query",}`, `{"sql":"x"}`, `{"kind":"query","sql":"\x"}`, `[]`} {
		if _, err := decodeEvent([]byte(bad)); err == nil {
			t.Errorf("decodeEvent(%s) accepted", bad)
		}
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, l := range captureLines(f, sampleEvents()) {
		f.Add(l)
	}
	f.Add([]byte(`{"kind":"bind","params":["\ud83d\ude00",null,{"b64":"AAE="}]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		fast, ferr := fastDecode(line)
		slow, serr := jsonDecodeEvent(line)
		if ferr == nil && serr == nil && !reflect.DeepEqual(fast, slow) && !strings.Contains(string(line), "\\ud") {
			t.Errorf("%s:\nfast %+v\njson %+v", line, fast, slow)
		}
	})
}
