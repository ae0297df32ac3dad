// Package analyzer turns the event stream of PostgreSQL sessions into
// findings: it follows each session's protocol and transaction state, keeps a
// bounded ledger of the rows each session read, extracts statement facts with
// pg_query (cached by text) and runs the rules (package rules) on each
// observation. It knows nothing about sockets: the proxy, the capture reader
// and the server-log reader all feed it the same Events.
package analyzer

import (
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// Stats counts what the analyzer did.
type Stats struct {
	Events           uint64            `json:"events"`
	Statements       uint64            `json:"statements"`
	StatementsParsed uint64            `json:"statements_parsed"`
	CacheHits        uint64            `json:"cache_hits"`
	CacheMisses      uint64            `json:"cache_misses"`
	ParseErrors      uint64            `json:"parse_errors"`
	Unparsable       uint64            `json:"unparsable_statements"`
	Panics           uint64            `json:"panics"`
	LastPanic        string            `json:"last_panic,omitempty"`
	FindingsByRule   map[string]uint64 `json:"findings_by_rule"`
	SessionsOpen     int               `json:"sessions_open"`
	// HasResults: the stream carried server responses; rules that need
	// them (Rule.NeedsResults) ran fully.
	HasResults bool `json:"has_results"`
}

// Analyzer is safe for concurrent use. Events of one session must be fed in
// wire order; events of different sessions may interleave. Feed processes
// events one at a time (a single lock): cross-session rules need one order
// of events, and that order is what makes live and offline runs agree.
type Analyzer struct {
	mu       sync.Mutex
	cfg      Config
	rules    []*Rule
	cache    *factCache
	sessions map[string]*Session
	shared   map[*Rule]any
	// tableOIDs learns table names of RowDescription table OIDs from
	// single-table SELECTs, to map join results.
	tableOIDs map[uint32]string
	// lockHolders: sessions whose open transaction took a row lock, in
	// streams without server responses (see noteLogLock).
	lockHolders map[*Session]struct{}
	seq         uint64
	hasResults  bool
	// pass and out are reused by every Feed (under mu).
	pass Pass
	out  []Finding
	// lastSession: the session of the last event (nil after it ended).
	lastSession *Session

	events, statements, unparsable atomic.Uint64
	panics                         atomic.Uint64
	lastPanic                      atomic.Value
	findings                       map[string]uint64
}

// New returns an analyzer running the enabled rules of the list in order.
func New(cfg Config, rules []*Rule) *Analyzer {
	if err := cfg.Validate(); err != nil {
		// Invalid values are caught by LoadConfig; a hand-built config
		// keeps working with the parts that are valid.
		_ = err
	}
	def := DefaultConfig()
	if cfg.Window == 0 {
		cfg.Window = def.Window
	}
	if cfg.Ledger.MaxEntries <= 0 {
		cfg.Ledger.MaxEntries = def.Ledger.MaxEntries
	}
	if cfg.Ledger.MaxAge == 0 {
		cfg.Ledger.MaxAge = def.Ledger.MaxAge
	}
	if cfg.LockHeld == 0 {
		cfg.LockHeld = def.LockHeld
	}
	if cfg.HotRow.Conflicts == 0 {
		cfg.HotRow.Conflicts = def.HotRow.Conflicts
	}
	if cfg.HotRow.Window == 0 {
		cfg.HotRow.Window = def.HotRow.Window
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = def.CacheSize
	}
	a := &Analyzer{
		cfg:         cfg,
		cache:       newFactCache(cfg.CacheSize),
		sessions:    make(map[string]*Session),
		shared:      make(map[*Rule]any),
		tableOIDs:   make(map[uint32]string),
		lockHolders: make(map[*Session]struct{}),
		findings:    make(map[string]uint64),
	}
	for _, r := range rules {
		if r != nil && r.Run != nil && !cfg.Disabled(r) {
			a.rules = append(a.rules, r)
		}
	}
	return a
}

// Config returns the configuration in use.
func (a *Analyzer) Config() Config { return a.cfg }

// Rules returns the rules that run.
func (a *Analyzer) Rules() []*Rule { return a.rules }

// Stats returns counters.
func (a *Analyzer) Stats() Stats {
	a.mu.Lock()
	byRule := make(map[string]uint64, len(a.findings))
	for k, v := range a.findings {
		byRule[k] = v
	}
	open := len(a.sessions)
	hasResults := a.hasResults
	a.mu.Unlock()
	st := Stats{
		Events:           a.events.Load(),
		Statements:       a.statements.Load(),
		StatementsParsed: a.cache.parsed.Load(),
		CacheHits:        a.cache.hits.Load(),
		CacheMisses:      a.cache.misses.Load(),
		ParseErrors:      a.cache.parseErrors.Load(),
		Unparsable:       a.unparsable.Load(),
		Panics:           a.panics.Load(),
		FindingsByRule:   byRule,
		SessionsOpen:     open,
		HasResults:       hasResults,
	}
	if p, ok := a.lastPanic.Load().(string); ok {
		st.LastPanic = p
	}
	return st
}

// preparsed is the statement facts looked up before taking the lock.
type preparsed struct {
	parsed *parsedText
	lits   []string
}

// Feed processes one event and returns the findings it completes. It never
// panics: a panic in analysis is recovered, counted (Stats.Panics) and the
// event is skipped, so traffic fails open.
func (a *Analyzer) Feed(ev *Event) (out []Finding) {
	if ev == nil {
		return nil
	}
	a.events.Add(1)
	defer func() {
		if r := recover(); r != nil {
			a.panics.Add(1)
			a.lastPanic.Store(truncate(fmt.Sprint(r)+"\n"+string(debug.Stack()), 2048))
			out = nil
		}
	}()
	// Parse outside the lock: a new statement text costs a cgo call.
	var pre preparsed
	if ev.Kind == EventQuery || ev.Kind == EventParse {
		pre.parsed, pre.lits = a.cache.lookup(ev.SQL)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	// Findings collect in a buffer the analyzer keeps (most events have
	// none): a fresh slice per event would be a heap allocation each.
	a.out = a.out[:0]
	a.feed(ev, &pre, &a.out)
	if len(a.out) == 0 {
		return nil
	}
	out = append([]Finding(nil), a.out...)
	clear(a.out)
	for _, f := range out {
		a.findings[f.Rule]++
	}
	return out
}

// Close ends the stream: open sessions end (their pending observations are
// flushed) and the findings that completes are returned.
func (a *Analyzer) Close() (out []Finding) {
	defer func() {
		if r := recover(); r != nil {
			a.panics.Add(1)
			a.lastPanic.Store(fmt.Sprint(r))
		}
	}()
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]string, 0, len(a.sessions))
	for id := range a.sessions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := a.sessions[id]
		var t time.Time
		if s.tx != nil {
			t = s.tx.Start
		}
		if len(s.ledger.rows) > 0 {
			if lt := s.ledger.rows[len(s.ledger.rows)-1].Exec.Sent; lt.After(t) {
				t = lt
			}
		}
		a.endSession(s, &Event{Kind: EventSessionEnd, Session: id, Time: t, Message: "end of stream"}, &out)
	}
	for _, f := range out {
		a.findings[f.Rule]++
	}
	return out
}

func (a *Analyzer) session(ev *Event) *Session {
	// Events come in runs of one session (a protocol chunk): skip the map.
	if s := a.lastSession; s != nil && s.ID == ev.Session {
		return s
	}
	s := a.sessions[ev.Session]
	if s == nil {
		s = &Session{ID: ev.Session, Info: SessionInfo{ID: ev.Session}, wire: newWireSession()}
		s.ledger = ledger{max: a.cfg.Ledger.MaxEntries, age: a.cfg.Ledger.MaxAge}
		a.sessions[ev.Session] = s
	}
	a.lastSession = s
	return s
}

func (a *Analyzer) feed(ev *Event, pre *preparsed, out *[]Finding) {
	if ev.Kind == EventSessionEnd {
		if s := a.sessions[ev.Session]; s != nil {
			a.endSession(s, ev, out)
		}
		return
	}
	s := a.session(ev)
	if ev.Kind.FromClient() && s.idle {
		s.idle = false
		if s.tx != nil && !s.tx.LockSince.IsZero() && !s.lastReady.Before(s.tx.LockSince) {
			s.tx.ClientIdle += ev.Time.Sub(s.lastReady)
		}
	}
	switch ev.Kind {
	case EventSessionStart:
		s.Info = SessionInfo{ID: ev.Session, ApplicationName: ev.Startup["application_name"],
			User: ev.Startup["user"], Database: ev.Startup["database"]}
		s.startupIsolation = startupIsolationOf(ev.Startup["options"])
	case EventQuery:
		r := a.wireFrontend(s, ev)
		a.query(s, ev, pre, r, out)
	case EventParse:
		a.wireFrontend(s, ev)
		if st := s.wire.stmts[ev.Statement]; st != nil {
			p := *pre
			st.ext = &p
			if pre.parsed != nil && pre.parsed.err == nil && len(pre.parsed.stmts) == 1 {
				st.returnsRows = pre.parsed.stmts[0].ReturnsRows()
			}
		}
	case EventExecute:
		r := a.wireFrontend(s, ev)
		a.execute(s, ev, r, out)
	case EventSync:
		r := a.wireFrontend(s, ev)
		a.syncPoint(s, r, ev, out)
	case EventBind, EventDescribe, EventClose:
		a.wireFrontend(s, ev)
	default:
		a.backend(s, ev, out)
	}
}

func (a *Analyzer) wireFrontend(s *Session, ev *Event) *request {
	_, r := s.wire.frontend(ev)
	return r
}

// queryExecs is the analyzer's record of a simple-protocol Query.
type queryExecs struct {
	execs []*Execution
	idx   int
}

func (q *queryExecs) current() *Execution {
	if q == nil || q.idx >= len(q.execs) {
		return nil
	}
	return q.execs[q.idx]
}

func (a *Analyzer) query(s *Session, ev *Event, pre *preparsed, r *request, out *[]Finding) {
	p := pre.parsed
	defer a.syncPoint(s, r, ev, out)
	if p == nil || p.err != nil {
		a.unparsable.Add(1)
		a.statements.Add(1)
		return
	}
	// A $n in a simple Query is a SQL-level PREPARE's own parameter; the
	// normalized literals are numbered after the highest one.
	nParams := 0
	if strings.IndexByte(ev.SQL, '$') >= 0 {
		nParams = sqltext.MaxParam(ev.SQL)
	}
	args := make([][]byte, nParams+len(pre.lits))
	for i, l := range pre.lits {
		args[nParams+i] = []byte(l)
	}
	var pieces []string
	if len(p.stmts) > 1 {
		pieces = sqltext.Split(ev.SQL)
		if len(pieces) != len(p.stmts) {
			pieces = nil
		}
	}
	q := &queryExecs{}
	for i, f := range p.stmts {
		sql := strings.TrimSpace(ev.SQL)
		switch {
		case pieces != nil:
			sql = pieces[i]
		case len(p.stmts) > 1:
			sql = f.Text
		}
		e := s.indirect(&Execution{Facts: f, SQL: sql, Args: args, Sent: ev.Time}, nParams)
		q.execs = append(q.execs, e)
	}
	if r != nil {
		r.ext = q
	}
	for _, e := range q.execs {
		a.statement(s, e, ev, out)
	}
}

// syncPoint handles the end of what PostgreSQL runs as one implicit
// transaction: a simple Query's text, or the extended-protocol messages up
// to Sync. Outside BEGIN … COMMIT, the statements since the last sync point
// commit (or roll back on error) together when the server answers with
// ReadyForQuery; without server responses (a server log) they end here.
func (a *Analyzer) syncPoint(s *Session, r *request, ev *Event, out *[]Finding) {
	tx := s.tx
	if tx == nil || tx.Explicit {
		return
	}
	if (!s.sawBackend && !a.hasResults) || r == nil {
		a.endTx(s, tx, !tx.Failed, ev, nil, out)
		return
	}
	r.implicit = tx
	s.tx = nil
}

func (a *Analyzer) execute(s *Session, ev *Event, r *request, out *[]Finding) {
	if r == nil || r.portal == nil || r.stmt == nil {
		a.statements.Add(1)
		return
	}
	pre, _ := r.stmt.ext.(*preparsed)
	if pre == nil || pre.parsed == nil || pre.parsed.err != nil || len(pre.parsed.stmts) == 0 {
		a.unparsable.Add(1)
		a.statements.Add(1)
		return
	}
	args := r.portal.params
	if len(pre.lits) > 0 {
		args = make([][]byte, 0, len(r.portal.params)+len(pre.lits))
		args = append(args, r.portal.params...)
		for _, l := range pre.lits {
			args = append(args, []byte(l))
		}
	}
	e := s.indirect(&Execution{Facts: pre.parsed.stmts[0], SQL: strings.TrimSpace(r.stmt.sql), Args: args, Sent: ev.Time}, 0)
	r.ext = e
	a.statement(s, e, ev, out)
}

// statement handles a statement being sent: transaction state, evidence
// for writes, the rules, then the ledger.
func (a *Analyzer) statement(s *Session, e *Execution, ev *Event, out *[]Finding) {
	a.statements.Add(1)
	a.seq++
	e.Seq = a.seq
	f := e.Facts
	logMode := !s.sawBackend && !a.hasResults
	switch f.Kind {
	case StmtBegin:
		switch {
		case s.InTx:
		case s.tx != nil:
			// BEGIN inside an implicit block makes it the transaction
			// block (earlier statements of the batch belong to it).
			s.tx.Explicit = true
			s.InTx = true
			if f.Isolation != IsolationDefault {
				s.tx.Isolation = f.Isolation
				s.Isolation = f.Isolation
			}
		default:
			s.beginTx(true, f.Isolation, ev.Time)
		}
	case StmtSetTransaction:
		iso := f.Isolation
		if f.IsolationParam > 0 {
			if v, ok := e.Value(Operand{Param: f.IsolationParam}); ok {
				iso = ParseIsolation(v)
			}
		}
		if s.InTx && s.tx != nil && iso != IsolationDefault {
			s.Isolation = iso
			s.tx.Isolation = iso
		}
	case StmtSetSession:
		iso := f.Isolation
		if f.IsolationParam > 0 {
			if v, ok := e.Value(Operand{Param: f.IsolationParam}); ok {
				iso = ParseIsolation(v)
			}
		}
		s.DefaultIsolation = iso
	case StmtReset:
		s.DefaultIsolation = IsolationDefault
	case StmtSavepoint:
		s.savepoints = append(s.savepoints, f.Savepoint)
	case StmtRelease:
		for i := len(s.savepoints) - 1; i >= 0; i-- {
			if s.savepoints[i] == f.Savepoint {
				s.savepoints = s.savepoints[:i]
				break
			}
		}
	case StmtRollbackTo:
		s.rollbackTo(f.Savepoint)
	}
	if s.tx == nil {
		// An implicit transaction, until the next sync point.
		s.beginTx(false, IsolationDefault, ev.Time)
	}
	if f.Advisory != AdvisoryNone {
		s.noteAdvisory(f.Advisory, e)
	}
	for _, t := range f.TableLocks {
		s.noteTxLock(t, e)
	}
	tx := s.tx
	if tx != nil {
		e.TxID = tx.ID
		e.InTx = s.InTx
		e.Isolate = tx.Isolation
		if len(tx.Execs) < maxTxExecs {
			tx.Execs = append(tx.Execs, e)
		}
	}
	var w *WriteRecord
	if (f.Kind == StmtUpdate || (f.Kind == StmtInsert && f.OnConflictUpdate)) && f.Target != "" {
		w = a.buildWrite(s, e)
		if tx != nil {
			tx.Writes = append(tx.Writes, w)
		}
	}
	e.tx = tx
	if !logMode {
		// Whose row lock this statement will wait for: RMW004 leaves the
		// wait out, RMW006 orders the two commits by it.
		lockHolding := tx != nil && tx.Explicit && !tx.LockSince.IsZero() && locksRows(f)
		rmwCandidate := w != nil && len(w.Bases) > 0
		if lockHolding || rmwCandidate {
			if other := a.holderOf(s, e, w); other != nil {
				e.lockWait = lockHolding
				if rmwCandidate {
					w.WaitedFor = TxRef{Session: other.ID, TxID: other.tx.ID}
				}
			}
		}
	}
	a.run(ObsStatement, s, ev, e, w, nil, out)
	a.recordRows(s, e, w)

	if logMode {
		// No server responses will come: take the statement as done.
		switch {
		case tx == nil || !tx.Explicit || !locksRows(f):
		case tx.LockSince.IsZero():
			tx.LockSince = ev.Time
			tx.LockExec = e
			a.noteLogLock(s, tx, e, w)
		case tx.waitingOn == nil && tx.queuedOn == nil:
			// Already holding a lock: a wait now is time queued.
			if other := a.holderOf(s, e, w); other != nil {
				tx.queuedOn, tx.queuedSince = other.tx, ev.Time
			}
		}
		switch {
		case f.Kind == StmtCommit || f.Kind == StmtPrepareTransaction:
			if s.tx != nil {
				a.endTx(s, s.tx, !s.Failed, ev, e, out)
			}
		case f.Kind == StmtRollback:
			if s.tx != nil {
				a.endTx(s, s.tx, false, ev, e, out)
			}
		}
	}
}

// buildWrite gathers the evidence about an UPDATE being sent.
func (a *Analyzer) buildWrite(s *Session, e *Execution) *WriteRecord {
	f := e.Facts
	w := &WriteRecord{Exec: e, Table: f.Target}
	for _, p := range f.Predicates {
		if p.Table != "" && p.Table != f.Target {
			continue
		}
		vals := e.PredicateValues(p)
		if len(vals) == 0 {
			continue
		}
		w.Keys = append(w.Keys, WriteKey{Column: p.Column, Values: vals})
	}
	// A column checked in WHERE and set is either a version guarding the
	// whole row or a compare-and-set guarding itself (see versionLike).
	var compared []string
	for _, k := range w.Keys {
		set, ok := f.SetOf(k.Column)
		if !ok {
			continue
		}
		if !versionLike(e, set, k.Values) {
			compared = append(compared, k.Column)
			continue
		}
		if w.VersionColumn != "" && w.VersionAdvanced {
			continue
		}
		w.VersionColumn = k.Column
		w.VersionAdvanced = true
		if !set.Relative {
			if v, ok := e.Value(set.Value); ok && containsString(k.Values, v) {
				w.VersionAdvanced = false
			}
		}
	}
	for _, set := range f.Sets {
		switch {
		case set.Relative:
			w.Relative = append(w.Relative, set.Column)
		case set.ServerSide:
			// now(), DEFAULT…: not a value the client computed.
		case lastChangeStamp(e, set):
			// updated_at = <now>: independent of what was read, so
			// overwriting another writer's stamp loses nothing.
		case containsString(compared, set.Column):
			// WHERE col = <what was read>: the write fails (UPDATE 0)
			// if another writer changed it.
		default:
			w.Absolute = append(w.Absolute, set.Column)
		}
	}
	if len(w.Absolute) == 0 || len(w.Keys) == 0 {
		return w
	}
	rows := s.ledger.rows
	withResults := s.sawBackend || a.hasResults
	// Newest first: the first read found for a row is its basis.
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		if r.write || r.Table != w.Table {
			continue
		}
		// A read whose result had not come back when the write was sent
		// (same pipelined batch or multi-statement Query) cannot have
		// supplied the written value. Without responses, a read in the
		// same implicit transaction is in the same Query or batch.
		if withResults && !r.Exec.Finished {
			continue
		}
		if !withResults && r.Exec.tx != nil && r.Exec.tx == s.tx && !s.tx.Explicit {
			continue
		}
		key, ok := matchesKeys(r, w.Keys)
		if !ok {
			continue
		}
		if b := w.basisOf(key); b != nil {
			if staleBasis(e, w.Absolute, b.Read, r) {
				b.Read = r
				b.ReadColumns = readColumns(r, w.Absolute)
			}
			continue
		}
		cols := readColumns(r, w.Absolute)
		if len(cols) == 0 {
			continue
		}
		if len(w.Bases) >= MaxRowsPerResult {
			break
		}
		w.Bases = append(w.Bases, RowBasis{Read: r, ReadKey: key, ReadColumns: cols})
	}
	for i := range w.Bases {
		b := &w.Bases[i]
		if s.tx != nil {
			sameTx := s.InTx && b.Read.TxID == s.tx.ID
			b.Locked = sameTx && s.lockedInTx(w.Table, narrowKeys(w.Keys, b.ReadKey)) ||
				s.txLockGuards(w.Table, b.Read) || s.sessionAdvisoryGuards(b.Read)
			b.SameSnapshot = sameTx && s.tx.Isolation.Snapshot()
		}
		b.WithinWindow = e.Sent.Sub(b.Read.Exec.Sent) <= a.cfg.Window
	}
	if len(w.Bases) > 0 {
		w.RowBasis = w.Bases[0]
	}
	return w
}

// basisOf returns the basis already found for the row key names.
func (w *WriteRecord) basisOf(key RowKey) *RowBasis {
	for i := range w.Bases {
		if w.Bases[i].ReadKey == key {
			return &w.Bases[i]
		}
	}
	return nil
}

// readColumns returns the columns of cols that read r included.
func readColumns(r *ReadRow, cols []string) []string {
	var out []string
	for _, c := range cols {
		if r.ReadColumn(c) {
			out = append(out, c)
		}
	}
	return out
}

// staleBasis reports whether the write carries a value that the older read
// returned and the newer one no longer did: the application computed from
// the older read and saved its stale copy (TypeORM's save() re-reads the
// row just before writing an entity loaded earlier).
func staleBasis(e *Execution, written []string, newer, older *ReadRow) bool {
	for _, c := range written {
		set, ok := e.Facts.SetOf(c)
		if !ok {
			continue
		}
		v, ok := e.Value(set.Value)
		if !ok {
			continue
		}
		nv, ok1 := newer.Value(c)
		ov, ok2 := older.Value(c)
		if ok1 && ok2 && nv != v && ov == v {
			return true
		}
	}
	return false
}

// narrowKeys restricts the write's keys to the one row key names.
func narrowKeys(keys []WriteKey, key RowKey) []WriteKey {
	out := make([]WriteKey, 0, len(keys))
	for _, k := range keys {
		if k.Column == key.Column {
			k = WriteKey{Column: k.Column, Values: []string{key.Value}}
		}
		out = append(out, k)
	}
	return out
}

// recordRows adds what a statement reads or locks to the ledger, identified
// by its predicates (returned rows refine it later).
func (a *Analyzer) recordRows(s *Session, e *Execution, w *WriteRecord) {
	f := e.Facts
	switch {
	case f.Kind == StmtSelect && len(f.Reads)+len(f.Locks) > 0:
		for _, rd := range f.Reads {
			a.addPredicateRows(s, e, rd.Table, rd.Columns, rd.All, f.LockOn(rd.Table))
		}
		for _, l := range f.Locks {
			if !hasRead(f, l.Table) {
				a.addPredicateRows(s, e, l.Table, nil, false, l.Strength)
			}
		}
	case w != nil && len(w.Keys) > 0:
		// The UPDATE locks its rows until the transaction ends.
		for _, k := range w.Keys {
			for i, v := range k.Values {
				if i >= MaxRowsPerResult {
					break
				}
				r := &ReadRow{Exec: e, Table: w.Table, Values: []KV{{k.Column, v}}, TxID: e.TxID,
					depth: len(s.savepoints), write: true}
				s.remember(r, e.Sent)
			}
			break
		}
	}
}

func hasRead(f *StatementFacts, table string) bool {
	for _, r := range f.Reads {
		if r.Table == table {
			return true
		}
	}
	return false
}

func (a *Analyzer) addPredicateRows(s *Session, e *Execution, table string, cols []string, all bool, lock LockStrength) {
	f := e.Facts
	single := len(f.Tables) == 1
	var fixed []KV
	var multi []KV
	multiCol := ""
	for _, p := range f.Predicates {
		if p.Table != table && !(p.Table == "" && single) {
			continue
		}
		vals := e.PredicateValues(p)
		switch {
		case len(vals) == 1 && !p.Array:
			fixed = append(fixed, KV{p.Column, vals[0]})
		case len(vals) > 0 && multiCol == "":
			multiCol = p.Column
			for _, v := range vals {
				multi = append(multi, KV{p.Column, v})
			}
		}
	}
	if len(fixed) == 0 && len(multi) == 0 {
		return
	}
	mk := func(extra *KV) {
		vals := make([]KV, 0, len(fixed)+1)
		vals = append(vals, fixed...)
		if extra != nil {
			vals = append(vals, *extra)
		}
		s.remember(&ReadRow{Exec: e, Table: table, Values: vals, Columns: cols, All: all, Lock: lock,
			TxID: e.TxID, depth: len(s.savepoints)}, e.Sent)
	}
	if len(multi) == 0 {
		mk(nil)
		return
	}
	for i := range multi {
		if i >= MaxRowsPerResult {
			break
		}
		mk(&multi[i])
	}
}

// maxRowValues caps the column values kept per ledger row.
const maxRowValues = 32

// rowFromResult adds a returned row to the ledger.
func (a *Analyzer) rowFromResult(s *Session, e *Execution, values [][]byte) {
	f := e.Facts
	if f.Kind != StmtSelect || len(e.Columns) == 0 {
		return
	}
	if !e.readRows {
		s.ledger.removePredicateRows(e)
		e.readRows = true
	}
	if e.tables == nil {
		e.tables = a.columnTables(f, e.Columns)
	}
	if e.names == nil {
		e.names = columnNames(f, e.Columns)
	}
	for _, rd := range f.Reads {
		var kvs []KV
		var cols []string
		for i := range e.Columns {
			if i >= len(values) || e.tables[i] != rd.Table {
				continue
			}
			name := e.names[i]
			cols = append(cols, name)
			if values[i] != nil && len(kvs) < maxRowValues {
				kvs = append(kvs, KV{name, string(values[i])})
			}
		}
		if len(cols) == 0 {
			continue
		}
		for _, p := range f.Predicates {
			if p.Table != rd.Table && !(p.Table == "" && len(f.Tables) == 1) {
				continue
			}
			if vals := e.PredicateValues(p); len(vals) == 1 && !p.Array {
				if !hasKV(kvs, p.Column) {
					kvs = append(kvs, KV{p.Column, vals[0]})
				}
			}
		}
		for _, c := range rd.Columns {
			if !containsString(cols, c) {
				cols = append(cols, c)
			}
		}
		s.remember(&ReadRow{Exec: e, Table: rd.Table, Values: kvs, Columns: cols, All: rd.All,
			Lock: f.LockOn(rd.Table), TxID: e.TxID, depth: len(s.savepoints), fromRow: true}, e.Sent)
	}
}

func hasKV(kvs []KV, col string) bool {
	_, ok := LookupKV(kvs, col)
	return ok
}

// columnNames returns the source column of each result column: ORMs alias
// every column (TypeORM: "Post"."title" AS "Post_title"), and the UPDATE
// names the column, not the alias.
func columnNames(f *StatementFacts, cols []Column) []string {
	out := make([]string, len(cols))
	aligned := len(f.Targets) == len(cols)
	for _, t := range f.Targets {
		if t.Star {
			aligned = false
		}
	}
	for i, c := range cols {
		out[i] = c.Name
		if aligned && f.Targets[i].Column != "" {
			out[i] = f.Targets[i].Column
		}
	}
	return out
}

// columnTables maps each result column to the table it comes from, using
// the SELECT list and the columns' table OIDs.
func (a *Analyzer) columnTables(f *StatementFacts, cols []Column) []string {
	out := make([]string, len(cols))
	if len(f.Tables) == 1 {
		t := f.Tables[0].Name
		for i, c := range cols {
			if c.TableOID != 0 {
				out[i] = t
				a.learnOID(c.TableOID, t)
			}
		}
		return out
	}
	ci := 0
	fromIdx := 0
	for _, tg := range f.Targets {
		if ci >= len(cols) {
			break
		}
		if !tg.Star {
			table := tg.Table
			if table == "" {
				table = a.tableOIDs[cols[ci].TableOID]
			}
			if cols[ci].TableOID != 0 {
				out[ci] = table
				a.learnOID(cols[ci].TableOID, table)
			}
			ci++
			continue
		}
		if tg.Table != "" {
			oid := cols[ci].TableOID
			for ci < len(cols) && cols[ci].TableOID == oid && oid != 0 {
				out[ci] = tg.Table
				ci++
			}
			a.learnOID(oid, tg.Table)
			continue
		}
		// Bare *: every FROM table in order, one run of OIDs each.
		for ci < len(cols) && fromIdx < len(f.Tables) {
			oid := cols[ci].TableOID
			table := a.tableOIDs[oid]
			if table == "" {
				table = f.Tables[fromIdx].Name
			}
			fromIdx++
			for ci < len(cols) && cols[ci].TableOID == oid {
				out[ci] = table
				ci++
			}
		}
	}
	for i, c := range cols {
		if out[i] == "" && c.TableOID != 0 {
			out[i] = a.tableOIDs[c.TableOID]
		}
	}
	return out
}

func (a *Analyzer) learnOID(oid uint32, table string) {
	if oid == 0 || table == "" {
		return
	}
	if len(a.tableOIDs) >= 4096 {
		clear(a.tableOIDs)
	}
	a.tableOIDs[oid] = table
}

// currentExec returns the execution a backend message belongs to.
func currentExec(r *request) *Execution {
	if r == nil {
		return nil
	}
	switch x := r.ext.(type) {
	case *Execution:
		return x
	case *queryExecs:
		return x.current()
	}
	return nil
}

func (a *Analyzer) backend(s *Session, ev *Event, out *[]Finding) {
	s.sawBackend = true
	a.hasResults = true
	r, values := s.wire.backend(ev)
	e := currentExec(r)
	switch ev.Kind {
	case EventRowDescription:
		if e != nil && (r.kind == reqQuery || r.kind == reqExecute) {
			e.Columns = ev.Columns
		}
	case EventDataRow:
		if e == nil {
			return
		}
		if e.Columns == nil && r.portal != nil {
			e.Columns = r.portal.resultColumns()
		}
		if len(e.Rows) < MaxRowsPerResult {
			e.Rows = append(e.Rows, values)
			a.rowFromResult(s, e, values)
		}
	case EventCommandComplete, EventEmptyQuery:
		if r != nil {
			if q, ok := r.ext.(*queryExecs); ok {
				q.idx++
			}
		}
		if e == nil || ev.Kind == EventEmptyQuery {
			return
		}
		e.Tag = ev.Tag
		e.Done = ev.Time
		e.Finished = true
		a.completed(s, e, ev, out)
	case EventError:
		if e != nil {
			e.SQLState = ev.SQLState
			e.Done = ev.Time
			e.Finished = true
		}
		tx := s.tx
		if e != nil && e.tx != nil {
			tx = e.tx
		}
		if tx != nil {
			tx.Failed = true
			tx.SQLState = ev.SQLState
		}
		if s.InTx {
			s.Failed = true
		}
		a.run(ObsError, s, ev, e, writeOf(e), tx, out)
	case EventReadyForQuery:
		s.lastReady = ev.Time
		s.idle = true
		if r != nil && r.implicit != nil {
			a.endTx(s, r.implicit, !r.implicit.Failed, ev, nil, out)
		}
		switch ev.TxStatus {
		case 'I':
			if s.InTx && s.tx != nil {
				a.endTx(s, s.tx, !s.Failed, ev, nil, out)
			}
		case 'T':
			if !s.InTx {
				s.InTx = true
				if s.tx == nil {
					s.beginTx(true, IsolationDefault, ev.Time)
				}
				s.tx.Explicit = true
			}
		case 'E':
			s.Failed = true
		}
	case EventParameterStatus:
		if ev.Name == "default_transaction_isolation" {
			s.startupIsolation = ParseIsolation(ev.Value)
		}
	}
}

func writeOf(e *Execution) *WriteRecord {
	if e == nil || e.tx == nil {
		return nil
	}
	for _, w := range e.tx.Writes {
		if w.Exec == e {
			return w
		}
	}
	return nil
}

// completed handles a CommandComplete.
func (a *Analyzer) completed(s *Session, e *Execution, ev *Event, out *[]Finding) {
	f := e.Facts
	if f.Kind == StmtSelect && !e.readRows {
		if n, ok := e.RowsAffected(); ok && n == 0 {
			// Nothing was read: forget the rows the predicates named.
			s.ledger.removePredicateRows(e)
		}
	}
	tx := e.tx
	if tx != nil && tx.LockSince.IsZero() && tx.Explicit && tx.End.IsZero() {
		if n, ok := e.RowsAffected(); locksRows(f) && ok && n > 0 {
			tx.LockSince = ev.Time
			tx.LockExec = e
			a.lockHolders[s] = struct{}{}
		}
	}
	if tx != nil && e.lockWait && ev.Time.After(e.Sent) {
		tx.LockWait += ev.Time.Sub(e.Sent)
	}
	a.run(ObsResult, s, ev, e, writeOf(e), nil, out)
	switch f.Kind {
	case StmtCommit, StmtRollback, StmtPrepareTransaction:
		if s.tx != nil && s.tx.End.IsZero() {
			committed := ev.Tag == "COMMIT" || ev.Tag == "PREPARE TRANSACTION"
			a.endTx(s, s.tx, committed, ev, e, out)
		}
	}
}

// locksRows: the statement takes row locks held to the end of the
// transaction.
func locksRows(f *StatementFacts) bool {
	return f.Kind == StmtUpdate || f.Kind == StmtDelete || (f.Kind == StmtSelect && anyGuardingLock(f))
}

// holderOf returns another session whose open transaction holds a lock on a
// row the statement writes or locks (the statement will wait for it), or
// nil.
func (a *Analyzer) holderOf(s *Session, e *Execution, w *WriteRecord) *Session {
	if len(a.lockHolders) == 0 {
		return nil
	}
	table, keys := lockKeys(e, w)
	if table == "" || len(keys) == 0 {
		return nil
	}
	for other := range a.lockHolders {
		if other != s && other.tx != nil && other.tx.End.IsZero() && other.holdsRow(table, keys) {
			return other
		}
	}
	return nil
}

func anyGuardingLock(f *StatementFacts) bool {
	for _, l := range f.Locks {
		if l.Strength.Guards() {
			return true
		}
	}
	return false
}

// endTx closes a transaction: rules see it, then its locks are released.
func (a *Analyzer) endTx(s *Session, tx *TxRecord, committed bool, ev *Event, endExec *Execution, out *[]Finding) {
	if tx == nil || !tx.End.IsZero() {
		return
	}
	tx.End = ev.Time
	tx.Committed = committed && !tx.Failed
	tx.EndExec = endExec
	a.run(ObsTxEnd, s, ev, endExec, nil, tx, out)
	a.releaseLogLock(s, tx, ev.Time)
	// Ledger rows keep their Execution; drop what only the transaction
	// needed so a session's memory stays bounded by the ledger.
	for _, e := range tx.Execs {
		e.tx = nil
		e.Rows = nil
	}
	tx.Execs, tx.Writes, tx.lockRows = nil, nil, nil
	for _, r := range s.ledger.rows {
		if r.TxID == tx.ID {
			r.Lock = LockNone
			r.write = false
		}
	}
	if s.tx == tx {
		s.tx = nil
		s.InTx = false
		s.Failed = false
		s.Isolation = IsolationDefault
		s.savepoints = s.savepoints[:0]
	}
}

func (a *Analyzer) endSession(s *Session, ev *Event, out *[]Finding) {
	if s.tx != nil && s.tx.End.IsZero() {
		// PostgreSQL rolls back a transaction left open at disconnect.
		a.endTx(s, s.tx, false, ev, nil, out)
	}
	a.run(ObsSessionEnd, s, ev, nil, nil, nil, out)
	delete(a.sessions, s.ID)
	if a.lastSession == s {
		a.lastSession = nil
	}
}

// run calls every rule for one observation.
func (a *Analyzer) run(kind ObservationKind, s *Session, ev *Event, e *Execution, w *WriteRecord, tx *TxRecord, out *[]Finding) {
	// One Pass reused under the lock (rules must not keep it, as with
	// go/analysis): a Pass per observation was a heap allocation each.
	pass := Pass{Kind: kind, Event: ev, Session: s, Exec: e, Write: w, Tx: tx, Config: &a.cfg,
		HasResults: s.sawBackend || a.hasResults, analyzer: a, out: out}
	p := &a.pass
	if p.analyzer != nil {
		p = &Pass{} // nested run (not expected): do not clobber the outer one
	} else {
		defer func() { a.pass = Pass{} }()
	}
	*p = pass
	for _, r := range a.rules {
		p.rule = r
		a.runRule(p)
	}
}

// runRule isolates a rule's panic: the other rules still run.
func (a *Analyzer) runRule(p *Pass) {
	defer func() {
		if r := recover(); r != nil {
			a.panics.Add(1)
			a.lastPanic.Store(fmt.Sprintf("%s: %v", p.rule.ID, r))
		}
	}()
	p.rule.Run(p)
}

// noteLogLock handles a row lock taken in a stream without server responses
// (a server log). The log says when a statement started, not when it got its
// lock: a statement that waited on another session's lock only holds the
// row from the moment that session's transaction ended. So when another open
// transaction already holds a matching row, the lock time is moved to that
// transaction's end (releaseLogLock).
func (a *Analyzer) noteLogLock(s *Session, tx *TxRecord, e *Execution, w *WriteRecord) {
	if other := a.holderOf(s, e, w); other != nil {
		tx.waitingOn = other.tx
	}
	a.lockHolders[s] = struct{}{}
}

func (a *Analyzer) releaseLogLock(s *Session, tx *TxRecord, t time.Time) {
	if len(a.lockHolders) == 0 {
		return
	}
	delete(a.lockHolders, s)
	for other := range a.lockHolders {
		ot := other.tx
		if ot == nil {
			continue
		}
		if ot.waitingOn == tx {
			ot.waitingOn = nil
			ot.LockSince = t
		}
		if ot.queuedOn == tx {
			ot.queuedOn = nil
			ot.LockWait += t.Sub(ot.queuedSince)
		}
	}
}

// lockKeys returns the table and row identity a locking statement names.
func lockKeys(e *Execution, w *WriteRecord) (string, []WriteKey) {
	if w != nil {
		return w.Table, w.Keys
	}
	f := e.Facts
	table := f.Target
	if table == "" {
		for _, l := range f.Locks {
			if l.Strength.Guards() {
				table = l.Table
				break
			}
		}
	}
	var keys []WriteKey
	for _, p := range f.Predicates {
		if p.Table != "" && p.Table != table {
			continue
		}
		if vals := e.PredicateValues(p); len(vals) > 0 {
			keys = append(keys, WriteKey{Column: p.Column, Values: vals})
		}
	}
	return table, keys
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
