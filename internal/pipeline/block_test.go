package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/rules"
)

func TestRefusalSQLState(t *testing.T) {
	for id, want := range map[string]string{"RMW001": "LU001", "rmw042": "LU042", "RMW1": "LU000", "custom": "LU000", "RMW12a": "LU000"} {
		if got := RefusalSQLState(id); got != want {
			t.Errorf("RefusalSQLState(%q) = %s, want %s", id, got, want)
		}
	}
}

type recorded struct{ fs []analyzer.Finding }

func (r *recorded) Record(fs []analyzer.Finding) { r.fs = append(r.fs, fs...) }

// readThenWrite is one session reading a balance and writing back a
// computed value, in the simple protocol, with the server's answers.
func readThenWrite() (read []*analyzer.Event, write *analyzer.Event) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev := func(e analyzer.Event) *analyzer.Event {
		at = at.Add(time.Millisecond)
		e.Session, e.Time = "s1", at
		return &e
	}
	read = []*analyzer.Event{
		ev(analyzer.Event{Kind: analyzer.EventQuery, SQL: "SELECT balance FROM users WHERE id = 42"}),
		ev(analyzer.Event{Kind: analyzer.EventRowDescription, Columns: []analyzer.Column{{Name: "balance", TableOID: 1000, AttrNum: 2, TypeOID: 23}}}),
		ev(analyzer.Event{Kind: analyzer.EventDataRow, Values: [][]byte{[]byte("100")}}),
		ev(analyzer.Event{Kind: analyzer.EventCommandComplete, Tag: "SELECT 1"}),
		ev(analyzer.Event{Kind: analyzer.EventReadyForQuery, TxStatus: 'I'}),
	}
	return read, ev(analyzer.Event{Kind: analyzer.EventQuery, SQL: "UPDATE users SET balance = 250 WHERE id = 42"})
}

func TestBlockRefusesTheFlaggedEventOnly(t *testing.T) {
	cfg := analyzer.DefaultConfig()
	UseBlockMode(&cfg)
	sink := &recorded{}
	b := NewBlock(cfg, rules.All(), sink, zerolog.Nop())
	read, write := readThenWrite()
	for _, ev := range read {
		b.Observe(ev)
		if ref := b.Check(ev); ref != nil {
			t.Fatalf("read refused: %+v", ref)
		}
	}
	b.Observe(write)
	other := *write
	if ref := b.Check(&other); ref != nil {
		t.Fatal("verdict given for a different event")
	}
	ref := b.Check(write)
	if ref == nil {
		t.Fatalf("unsafe write not refused; findings %+v", sink.fs)
	}
	if ref.SQLState != "LU001" || !strings.HasPrefix(ref.Message, "pgrmw blocked this write (RMW001 unguarded-read-modify-write): ") {
		t.Fatalf("refusal %+v", ref)
	}
	if !strings.Contains(ref.Detail, "Earlier read at 03:04:05.001: SELECT balance FROM users WHERE id = 42 (returned balance=100).") {
		t.Fatalf("detail %q", ref.Detail)
	}
	if !strings.Contains(ref.Hint, "balance = balance + 150") || !strings.Contains(ref.Hint, "set its action to log") {
		t.Fatalf("hint %q", ref.Hint)
	}
	if b.Check(write) != nil {
		t.Fatal("verdict given twice")
	}
	if b.Blocked() != 1 {
		t.Fatalf("Blocked() = %d", b.Blocked())
	}
	if len(sink.fs) != 1 || sink.fs[0].Action != "block" {
		t.Fatalf("sink got %+v", sink.fs)
	}
}

func TestBlockLogActionGivesNoVerdict(t *testing.T) {
	cfg := analyzer.DefaultConfig() // default action log
	sink := &recorded{}
	b := NewBlock(cfg, rules.All(), sink, zerolog.Nop())
	read, write := readThenWrite()
	for _, ev := range append(read, write) {
		b.Observe(ev)
		if ref := b.Check(ev); ref != nil {
			t.Fatalf("refused in log mode: %+v", ref)
		}
	}
	if len(sink.fs) != 1 || sink.fs[0].Rule != "RMW001" || sink.fs[0].Action != "log" {
		t.Fatalf("sink got %+v", sink.fs)
	}
}

func TestBlockPendingVerdictsStayBounded(t *testing.T) {
	cfg := analyzer.DefaultConfig()
	UseBlockMode(&cfg)
	b := NewBlock(cfg, rules.All(), nil, zerolog.Nop())
	// Used as an Observer only, nobody collects the verdicts.
	for i := 0; i < 3*maxPendingVerdicts; i++ {
		read, write := readThenWrite()
		for _, ev := range append(read, write) {
			ev.Session = "s" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
			b.Observe(ev)
		}
	}
	b.mu.Lock()
	n := len(b.verdicts)
	b.mu.Unlock()
	if n == 0 || n > maxPendingVerdicts {
		t.Fatalf("%d pending verdicts", n)
	}
}
