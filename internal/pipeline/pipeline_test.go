package pipeline

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
)

func TestAsyncDeliversInOrderAndDropsWhenFull(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var got []string
	consumer := analyzer.ObserverFunc(func(ev *analyzer.Event) {
		<-release
		mu.Lock()
		got = append(got, ev.SQL)
		mu.Unlock()
	})
	a := NewAsync(consumer, 2)
	// The consumer holds the first event; two more fill the queue; the rest drop.
	for _, sql := range []string{"a", "b", "c", "d", "e"} {
		a.Observe(&analyzer.Event{Kind: analyzer.EventQuery, SQL: sql})
	}
	close(release)
	a.Close()
	if a.Dropped() == 0 {
		t.Fatalf("expected drops with a blocked consumer and capacity 2, got none (delivered %v)", got)
	}
	if uint64(len(got)) != a.Accepted() || a.Accepted()+a.Dropped() != 5 {
		t.Fatalf("accepted %d + dropped %d != 5 or delivered %d", a.Accepted(), a.Dropped(), len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("out of order: %v", got)
		}
	}
	a.Observe(&analyzer.Event{Kind: analyzer.EventQuery, SQL: "late"}) // after Close: counted, no panic
}

func TestFindingSinkWritesEveryOccurrenceLogsFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "findings.jsonl")
	logPath := filepath.Join(dir, "log.jsonl")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := NewFindingSink(zerolog.New(logFile), path)
	if err != nil {
		t.Fatal(err)
	}
	var hooked int
	sink.OnRecord(func(analyzer.Finding) { hooked++ })
	f := analyzer.Finding{Rule: "RMW001", Severity: analyzer.SeverityWarning, Message: "m", Fingerprint: "fp1", Session: analyzer.SessionInfo{ID: "s1"}}
	g := f
	g.Fingerprint = "fp2"
	sink.Record([]analyzer.Finding{f, f, f})
	sink.Record([]analyzer.Finding{g})
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	logFile.Close()
	if hooked != 4 {
		t.Fatalf("hook called %d times, want 4", hooked)
	}
	lines := readLines(t, path)
	if len(lines) != 4 {
		t.Fatalf("findings file has %d lines, want 4", len(lines))
	}
	var back analyzer.Finding
	if err := json.Unmarshal([]byte(lines[0]), &back); err != nil || back.Rule != "RMW001" || back.Severity != analyzer.SeverityWarning {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	var warns, repeats int
	for _, l := range readLines(t, logPath) {
		var m map[string]any
		json.Unmarshal([]byte(l), &m)
		switch {
		case m["level"] == "warn":
			warns++
		case m["message"] == "finding seen again":
			repeats++
			if m["new_occurrences"].(float64) != 2 {
				t.Fatalf("repeat count = %v, want 2", m["new_occurrences"])
			}
		}
	}
	if warns != 2 || repeats != 1 {
		t.Fatalf("log: %d warnings (want 2, one per fingerprint), %d repeat summaries (want 1)", warns, repeats)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
