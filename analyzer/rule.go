package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Rule is one check, a value in the style of golang.org/x/tools/go/analysis:
// the analyzer calls Run for each observation of a session; Run returns at
// once when the observation cannot concern it.
type Rule struct {
	ID       string   // "RMW001"
	Name     string   // "unguarded-read-modify-write"
	Severity Severity // default severity
	Doc      string   // markdown; first line is the title
	// NeedsResults: the rule needs server responses (rows, tags, errors);
	// over a server log it cannot run fully.
	NeedsResults bool
	Run          func(*Pass)
}

// Title is the first line of Doc without markdown heading marks and without
// a leading "RMW001 name:".
func (r *Rule) Title() string {
	line, _, _ := strings.Cut(r.Doc, "\n")
	line = strings.TrimSpace(strings.TrimLeft(line, "# "))
	if strings.HasPrefix(line, r.ID) {
		if _, rest, ok := strings.Cut(line, ": "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return line
}

// ObservationKind says what just happened in a session.
type ObservationKind uint8

const (
	// ObsStatement: the client sent a statement (Query, or Execute of a
	// bound portal). Pass.Exec is set; for an UPDATE, Pass.Write too.
	// Findings reported here come back from the Feed call of that event, so
	// block mode can refuse the statement.
	ObsStatement ObservationKind = iota + 1
	// ObsResult: a statement completed (CommandComplete). Pass.Exec has its
	// Tag and rows.
	ObsResult
	// ObsError: the server answered with an ErrorResponse. Pass.Exec is the
	// failed statement when known, Pass.Tx the transaction it aborts;
	// Pass.Event has the SQLSTATE.
	ObsError
	// ObsTxEnd: a transaction ended: COMMIT or ROLLBACK completed, or the
	// server's ReadyForQuery closed an implicit transaction (the statements
	// of one simple Query, or of the extended messages up to Sync, outside
	// BEGIN … COMMIT). Pass.Tx describes it.
	ObsTxEnd
	// ObsSessionEnd: the session closed (or the stream ended).
	ObsSessionEnd
)

// Pass is what a rule sees for one observation.
type Pass struct {
	Kind    ObservationKind
	Event   *Event // the event that caused the observation (text-form values)
	Session *Session
	Exec    *Execution   // the statement concerned, if any
	Write   *WriteRecord // for an UPDATE at ObsStatement/ObsResult
	Tx      *TxRecord    // for ObsTxEnd and ObsError
	Config  *Config
	// HasResults: the stream carries server responses (false for a server
	// log: no rows, no tags).
	HasResults bool

	rule     *Rule
	analyzer *Analyzer
	out      *[]Finding
}

// Now is the time of the observation (the event's timestamp).
func (p *Pass) Now() time.Time { return p.Event.Time }

// Shared returns the rule's cross-session state, created by init on first
// use. It lives as long as the Analyzer.
func (p *Pass) Shared(init func() any) any {
	st, ok := p.analyzer.shared[p.rule]
	if !ok {
		st = init()
		p.analyzer.shared[p.rule] = st
	}
	return st
}

// SessionState returns the rule's state for this session, created by init.
func (p *Pass) SessionState(init func() any) any {
	s := p.Session
	if s.ruleState == nil {
		s.ruleState = make(map[*Rule]any)
	}
	st, ok := s.ruleState[p.rule]
	if !ok {
		st = init()
		s.ruleState[p.rule] = st
	}
	return st
}

// Report records a finding. Rule, name, severity (after config overrides),
// session, action and time are filled in when empty; findings on ignored
// tables are dropped.
func (p *Pass) Report(f Finding) {
	cfg := p.Config
	if f.Table != "" && cfg.tableIgnored(f.Table) {
		return
	}
	f.Rule = p.rule.ID
	f.Name = p.rule.Name
	if f.Severity == 0 {
		f.Severity = p.rule.Severity
	}
	if s, ok := cfg.severityOverride(p.rule.ID); ok {
		f.Severity = s
	}
	if f.Session.ID == "" {
		f.Session = p.Session.Info
	}
	if f.Time.IsZero() {
		f.Time = p.Event.Time
	}
	if f.Statements == nil {
		f.Statements = []StatementRef{}
	}
	f.Action = cfg.Action(p.rule.ID)
	*p.out = append(*p.out, f)
}

// Fingerprint hashes a rule id and the parts that identify a code path
// (pg_query fingerprints of the statements, table, columns) into a stable id.
func Fingerprint(ruleID string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Rule returns the rule being run.
func (p *Pass) Rule() *Rule { return p.rule }
