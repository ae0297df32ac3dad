package pipeline

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/proxy"
)

// SQLSTATEs of refused writes.
//
// A blocked write fails with SQLSTATE "LU" + the rule's number: LU001 for
// RMW001, LU002 for RMW002, and LU000 for a rule id without a number.
// Class LU ("lost update") is implementation-defined under the SQL standard
// (class codes starting with I–Z) and PostgreSQL uses no such class, so the
// code cannot be confused with a server error; it is deliberately not 40001,
// which well-behaved clients retry forever. Clients match the class: a
// SQLSTATE starting with "LU" means pgrmw refused the statement and nothing
// of it ran.
const (
	RefusalSQLStateClass   = "LU"
	RefusalSQLStateGeneric = "LU000"
)

// RefusalSQLState returns the SQLSTATE a write blocked by ruleID fails with.
func RefusalSQLState(ruleID string) string {
	id := strings.ToUpper(ruleID)
	digits := strings.TrimLeft(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	if len(digits) == 3 && strings.Trim(digits, "0123456789") == "" {
		return RefusalSQLStateClass + digits
	}
	return RefusalSQLStateGeneric
}

// Recorder receives the findings of each analysed event; *FindingSink is one.
type Recorder interface {
	Record(findings []analyzer.Finding)
}

// Block is block mode's analysis. It is both the proxy's Observer and its
// Gate: Observe feeds the analyzer synchronously, because the verdict on a
// write must exist before the write is forwarded, and Check, which the proxy
// calls right after Observe for the same Query or Execute event, refuses it
// when one of that event's findings has action "block".
//
// Analysis fails open: a panicking rule (or analyzer) costs the verdict for
// that event, never the traffic; it is counted (FailedOpen) and logged.
type Block struct {
	analyzer *analyzer.Analyzer
	sink     Recorder
	log      zerolog.Logger

	mu sync.Mutex
	// verdicts holds the refusal of each Query/Execute event with a blocking
	// finding, from Observe until the proxy's Check for that event.
	verdicts map[*analyzer.Event]verdict

	blocked    atomic.Uint64
	failedOpen atomic.Uint64
}

// verdict is the refusal of one event and the finding behind it (for the log).
type verdict struct {
	ref         *proxy.Refusal
	rule        string
	fingerprint string
}

// maxPendingVerdicts bounds verdicts nobody asked for (Block used as an
// Observer without being the Gate).
const maxPendingVerdicts = 1024

// NewBlock builds the analyzer over rules (each guarded so a panic is
// counted) and returns the block pipeline. sink may be nil. For
// `pgrmw proxy --mode block`, set cfg.DefaultAction to "block" first
// (UseBlockMode); per-rule cfg.Actions still win.
func NewBlock(cfg analyzer.Config, rules []*analyzer.Rule, sink Recorder, log zerolog.Logger) *Block {
	b := &Block{sink: sink, log: log, verdicts: make(map[*analyzer.Event]verdict)}
	guarded := make([]*analyzer.Rule, 0, len(rules))
	for _, r := range rules {
		guarded = append(guarded, b.guard(r))
	}
	b.analyzer = analyzer.New(cfg, guarded)
	return b
}

// UseBlockMode makes "block" the action of every rule that the config does
// not set explicitly (`pgrmw proxy --mode block`).
func UseBlockMode(cfg *analyzer.Config) { cfg.DefaultAction = "block" }

// guard wraps a rule's Run so its panics are counted and logged before the
// analyzer recovers them (dropping that event's findings: fail open).
func (b *Block) guard(r *analyzer.Rule) *analyzer.Rule {
	if r == nil || r.Run == nil {
		return r
	}
	g := *r
	run := r.Run
	g.Run = func(p *analyzer.Pass) {
		defer func() {
			if v := recover(); v != nil {
				b.analysisFailed(r.ID, v)
				panic(v)
			}
		}()
		run(p)
	}
	return &g
}

func (b *Block) analysisFailed(where string, v any) {
	b.failedOpen.Add(1)
	b.log.Error().Str("rule", where).Str("panic", fmt.Sprint(v)).Msg("analysis panicked; failing open (the statement is forwarded)")
}

// Analyzer is the analyzer fed by Observe (for stats).
func (b *Block) Analyzer() *analyzer.Analyzer { return b.analyzer }

// Blocked is the number of statements refused.
func (b *Block) Blocked() uint64 { return b.blocked.Load() }

// FailedOpen is the number of events whose analysis panicked, so that no
// verdict was given and the statement went through.
func (b *Block) FailedOpen() uint64 { return b.failedOpen.Load() }

// Observe feeds ev to the analyzer, hands the findings to the sink and keeps
// the refusal for a Query/Execute with a blocking finding.
func (b *Block) Observe(ev *analyzer.Event) {
	defer func() {
		if v := recover(); v != nil {
			b.analysisFailed("", v)
		}
	}()
	findings := b.analyzer.Feed(ev)
	if len(findings) == 0 {
		return
	}
	if b.sink != nil {
		b.sink.Record(findings)
	}
	if ev.Kind != analyzer.EventQuery && ev.Kind != analyzer.EventExecute {
		return
	}
	var blocking []analyzer.Finding
	for _, f := range findings {
		if f.Action == "block" {
			blocking = append(blocking, f)
		}
	}
	if len(blocking) == 0 {
		return
	}
	v := verdict{ref: RefusalFor(blocking), rule: blocking[0].Rule, fingerprint: blocking[0].Fingerprint}
	b.mu.Lock()
	if len(b.verdicts) >= maxPendingVerdicts {
		clear(b.verdicts)
	}
	b.verdicts[ev] = v
	b.mu.Unlock()
}

// Check returns the refusal Observe decided for ev, if any.
func (b *Block) Check(ev *analyzer.Event) *proxy.Refusal {
	b.mu.Lock()
	if len(b.verdicts) == 0 {
		b.mu.Unlock()
		return nil
	}
	v, ok := b.verdicts[ev]
	delete(b.verdicts, ev)
	b.mu.Unlock()
	if !ok {
		return nil
	}
	b.blocked.Add(1)
	// The refusal text quotes SQL and values read: not at warning level.
	b.log.Warn().Str("session", ev.Session).Str("rule", v.rule).Str("fingerprint", v.fingerprint).
		Str("sqlstate", v.ref.SQLState).Msg("write blocked (block mode): refused with an error, not sent to PostgreSQL")
	return v.ref
}

// RefusalFor builds the error a client gets for a write blocked by findings
// (the first one names the rule; others are listed in the detail): the
// message names the rule, DETAIL shows the earlier read the write is based
// on, HINT gives the fix.
func RefusalFor(findings []analyzer.Finding) *proxy.Refusal {
	if len(findings) == 0 {
		return nil
	}
	f := findings[0]
	ref := &proxy.Refusal{
		SQLState: RefusalSQLState(f.Rule),
		Message:  fmt.Sprintf("pgrmw blocked this write (%s %s): %s", f.Rule, f.Name, f.Message),
	}
	var detail []string
	for _, s := range f.Statements {
		if s.Role != "read" {
			continue
		}
		d := "Earlier read"
		if s.Session != "" && s.Session != f.Session.ID {
			d += " in session " + s.Session
		}
		if !s.Time.IsZero() {
			d += " at " + s.Time.UTC().Format("15:04:05.000")
		}
		d += ": " + s.SQL
		if s.Result != "" {
			d += " (returned " + s.Result + ")"
		}
		detail = append(detail, d+".")
	}
	for _, o := range findings[1:] {
		detail = append(detail, fmt.Sprintf("Also %s %s: %s", o.Rule, o.Name, o.Message))
	}
	ref.Detail = strings.Join(detail, "\n")
	hint := f.Fix
	if hint != "" && !strings.HasSuffix(hint, ".") {
		hint += "."
	}
	ref.Hint = strings.TrimSpace(hint + " Nothing of this statement was applied; pgrmw runs in block mode for " + f.Rule +
		" (set its action to log to let such writes through).")
	return ref
}
