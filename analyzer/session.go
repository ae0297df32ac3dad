package analyzer

import (
	"strconv"
	"strings"
	"time"
)

// Execution is one run of one statement in a session.
type Execution struct {
	Facts *StatementFacts
	// SQL is the statement as the client sent it (one statement of a
	// multi-statement Query when it can be cut out exactly; else the
	// normalized text).
	SQL string
	// Args are the values in text form: the Bind parameters, followed by the
	// literal values the normalized text turned into parameters.
	Args [][]byte

	Seq      uint64 // order of the statement in the whole stream
	TxID     uint64
	InTx     bool // ran inside an explicit transaction block
	Isolate  Isolation
	Sent     time.Time
	Done     time.Time // completion or error time; zero while running
	Tag      string    // CommandComplete tag
	SQLState string    // when it failed
	Columns  []Column
	Rows     [][][]byte // returned rows in text form, at most MaxRowsPerResult
	Finished bool

	tx       *TxRecord
	readRows bool // ledger rows from returned data replaced the predicate rows
	// lockWait: sent while another session's open transaction held a row
	// it writes or locks, so its run time is (mostly) waiting for that lock.
	lockWait bool
	tables   []string
	names    []string
}

// Value resolves an operand to its text value; ok is false for NULL or
// unknown parameters.
func (e *Execution) Value(o Operand) (string, bool) {
	var v string
	switch {
	case o.IsLiteral:
		if o.Null {
			return "", false
		}
		v = o.Literal
	case o.Param > 0 && o.Param <= len(e.Args):
		b := e.Args[o.Param-1]
		if b == nil {
			return "", false
		}
		v = string(b)
	default:
		return "", false
	}
	if o.Negate {
		if strings.HasPrefix(v, "-") {
			v = v[1:]
		} else {
			v = "-" + v
		}
	}
	return v, true
}

// PredicateValues resolves a predicate's values (array parameters expanded).
func (e *Execution) PredicateValues(p Predicate) []string {
	var out []string
	for _, o := range p.Values {
		v, ok := e.Value(o)
		if !ok {
			continue
		}
		if p.Array {
			out = append(out, arrayElements(v)...)
			continue
		}
		out = append(out, v)
	}
	return out
}

// RowsAffected parses the tag ("UPDATE 3" → 3); ok is false before
// completion or for tags without a count.
func (e *Execution) RowsAffected() (int64, bool) {
	i := strings.LastIndexByte(e.Tag, ' ')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(e.Tag[i+1:], 10, 64)
	return n, err == nil
}

// ColumnValue returns the value of column col in returned row i, if known.
func (e *Execution) ColumnValue(i int, col string) (string, bool) {
	if i >= len(e.Rows) {
		return "", false
	}
	for c, column := range e.Columns {
		if column.Name == col && c < len(e.Rows[i]) && e.Rows[i][c] != nil {
			return string(e.Rows[i][c]), true
		}
	}
	return "", false
}

// KV is a column and its value.
type KV struct {
	Column string
	Value  string
}

// ReadRow is one row a session read (or locked), in its ledger.
type ReadRow struct {
	Exec  *Execution
	Table string
	// Values: what identifies the row and what was read, as column = value
	// pairs: the read's equality predicates, and every column of the row
	// returned. Any of them may be the key an UPDATE later uses.
	Values  []KV
	Columns []string // columns read ("" entries never)
	All     bool     // SELECT * / t.*
	Lock    LockStrength
	TxID    uint64
	depth   int  // savepoint depth when taken
	write   bool // the row was written (UPDATE) in TxID: it holds a row lock
	fromRow bool // Values came from a returned row
	gone    bool // a predicate row replaced by the rows returned (or by none)
}

// Value returns the row's value for col.
func (r *ReadRow) Value(col string) (string, bool) { return LookupKV(r.Values, col) }

// LookupKV returns the value of col in kvs.
func LookupKV(kvs []KV, col string) (string, bool) {
	for _, kv := range kvs {
		if kv.Column == col {
			return kv.Value, true
		}
	}
	return "", false
}

// ReadColumn reports whether the read included col.
func (r *ReadRow) ReadColumn(col string) bool {
	return r.All || containsString(r.Columns, col)
}

// ledger is a session's bounded list of recent rows read, oldest first.
type ledger struct {
	rows []*ReadRow
	max  int
	age  time.Duration
}

func (l *ledger) add(r *ReadRow, now time.Time) {
	l.expire(now)
	if len(l.rows) >= l.max {
		n := len(l.rows) - l.max + 1
		copy(l.rows, l.rows[n:])
		for i := len(l.rows) - n; i < len(l.rows); i++ {
			l.rows[i] = nil
		}
		l.rows = l.rows[:len(l.rows)-n]
	}
	l.rows = append(l.rows, r)
}

func (l *ledger) expire(now time.Time) {
	if l.age <= 0 || len(l.rows) == 0 {
		return
	}
	cut := 0
	for cut < len(l.rows) && now.Sub(l.rows[cut].Exec.Sent) > l.age {
		cut++
	}
	if cut > 0 {
		n := copy(l.rows, l.rows[cut:])
		for i := n; i < len(l.rows); i++ {
			l.rows[i] = nil
		}
		l.rows = l.rows[:n]
	}
}

// removeExec drops the rows an execution added from its predicates.
func (l *ledger) removePredicateRows(e *Execution) {
	out := l.rows[:0]
	for _, r := range l.rows {
		if r.Exec == e && !r.fromRow {
			r.gone = true
			continue
		}
		out = append(out, r)
	}
	for i := len(out); i < len(l.rows); i++ {
		l.rows[i] = nil
	}
	l.rows = out
}

// WriteKey is the identity an UPDATE gives its row(s): a column and the
// values it must equal.
type WriteKey struct {
	Column string
	Values []string
}

// matches reports whether row r is one of the rows the keys select: every
// key column the row knows must hold one of the values, and at least one
// must be known.
func matchesKeys(r *ReadRow, keys []WriteKey) (RowKey, bool) {
	var hit RowKey
	known := false
	for _, k := range keys {
		v, ok := r.Value(k.Column)
		if !ok {
			continue
		}
		if !containsString(k.Values, v) {
			return RowKey{}, false
		}
		if !known {
			hit = RowKey{Column: k.Column, Value: v}
		}
		known = true
	}
	return hit, known
}

// WriteRecord is the evidence the analyzer gathers about one UPDATE (or
// INSERT … ON CONFLICT DO UPDATE) when it is sent.
type WriteRecord struct {
	Exec  *Execution
	Table string
	Keys  []WriteKey // the row identity from the WHERE clause
	// Absolute: columns set to a value computed outside SQL (a parameter
	// or literal is involved); Relative: columns set from their own value
	// (atomic). Columns set to what the server computes alone (now(),
	// DEFAULT) are in neither.
	Absolute []string
	Relative []string
	// VersionColumn: a WHERE equality on a column the SET also assigns.
	VersionColumn   string
	VersionAdvanced bool // the SET gives it a different value
	// Bases: for each row the UPDATE writes that this session read
	// earlier with one of the Absolute columns, the read the written value
	// was computed from. A multi-row UPDATE (… WHERE id IN (…), Django's
	// bulk_update) has one per row. The embedded RowBasis is the first, or
	// zero (Read nil) when there is none.
	Bases []RowBasis
	RowBasis
	// WaitedFor: the transaction that held a lock on the row when this
	// UPDATE was sent (zero when none): the UPDATE could only complete
	// after it ended, whatever order the two sessions' events reached the
	// analyzer in.
	WaitedFor TxRef
}

// TxRef names a transaction across sessions.
type TxRef struct {
	Session string
	TxID    uint64
}

// RowBasis ties one row an UPDATE writes to the read behind it.
type RowBasis struct {
	// Read: normally the session's most recent earlier read of the row;
	// an older one when the UPDATE writes back a value only that older
	// read returned (an ORM saving a stale entity after re-reading).
	Read        *ReadRow
	ReadKey     RowKey
	ReadColumns []string // Absolute columns the read included
	// Locked: the session holds a lock that keeps other writers out (FOR
	// UPDATE, FOR NO KEY UPDATE, FOR SHARE, or an earlier UPDATE's) on the
	// row in the open transaction of the read.
	Locked bool
	// SameSnapshot: read and write are in one REPEATABLE READ or
	// SERIALIZABLE transaction.
	SameSnapshot bool
	// WithinWindow: the read is within the configured window.
	WithinWindow bool
}

// Key returns the write's first identifying column and value.
func (w *WriteRecord) Key() *RowKey {
	if w.ReadKey.Column != "" {
		k := w.ReadKey
		return &k
	}
	for _, k := range w.Keys {
		if len(k.Values) > 0 {
			return &RowKey{Column: k.Column, Value: k.Values[0]}
		}
	}
	return nil
}

// TxRecord describes a transaction when it ends.
type TxRecord struct {
	ID        uint64
	Explicit  bool // BEGIN … COMMIT (false: one autocommit statement)
	Committed bool
	Isolation Isolation
	Start     time.Time
	End       time.Time
	Writes    []*WriteRecord
	Execs     []*Execution // statements run in it (bounded)
	// LockSince: when the transaction first held a row lock (FOR UPDATE /
	// FOR NO KEY UPDATE completed, or an UPDATE completed); zero if never.
	LockSince time.Time
	LockExec  *Execution
	// ClientIdle: time since LockSince during which the server had
	// answered and the client had not sent anything yet.
	ClientIdle time.Duration
	// LockWait: time since LockSince that its statements spent waiting
	// for rows other sessions' open transactions held (contention, not
	// this code holding its lock while it works).
	LockWait time.Duration
	Failed   bool // the server reported an error inside it
	SQLState string
	EndExec  *Execution // the COMMIT/ROLLBACK, if explicit

	waitingOn *TxRecord  // log streams: the transaction whose lock this one waits for
	lockRows  []*ReadRow // rows it locked or wrote (see Session.remember)
	// Log streams: a later statement of this lock-holding transaction
	// queued on queuedOn's row lock since queuedSince.
	queuedOn    *TxRecord
	queuedSince time.Time
	// locks: what it holds that keeps other writers out of a
	// read-modify-write until it ends: LOCK TABLE in a writer-excluding
	// mode and exclusive transaction-level advisory locks.
	locks []txLock
}

const maxTxExecs = 64

// Session is the analyzer's state for one client connection.
type Session struct {
	ID   string
	Info SessionInfo

	wire *wireSession
	// Transaction state.
	InTx             bool
	Failed           bool
	Isolation        Isolation // of the open transaction
	DefaultIsolation Isolation // session default
	startupIsolation Isolation
	tx               *TxRecord
	txSeq            uint64
	// Session-level exclusive advisory locks held (advisorySession of
	// them, the first since advisorySessionSeq).
	advisorySession    int
	advisorySessionSeq uint64
	savepoints         []string
	// SQL-level prepared statements (PREPARE … AS …) and cursors (DECLARE
	// … CURSOR FOR …) by name.
	sqlPrepared map[string]*sqlPrepared
	cursors     map[string]*sqlPrepared

	ledger ledger

	// Timing for RMW004: when the server last said ReadyForQuery and
	// whether the client has spoken since.
	lastReady time.Time
	idle      bool

	sawBackend bool
	ruleState  map[*Rule]any
}

// Tx returns the open transaction (explicit or the current autocommit one).
func (s *Session) Tx() *TxRecord { return s.tx }

// Rows returns the ledger, oldest first. Do not modify.
func (s *Session) Rows() []*ReadRow { return s.ledger.rows }

func (s *Session) effectiveIsolation() Isolation {
	if s.DefaultIsolation != IsolationDefault {
		return s.DefaultIsolation
	}
	return s.startupIsolation
}

// beginTx opens a transaction record.
func (s *Session) beginTx(explicit bool, iso Isolation, t time.Time) {
	s.txSeq++
	if iso == IsolationDefault {
		iso = s.effectiveIsolation()
	}
	s.tx = &TxRecord{ID: s.txSeq, Explicit: explicit, Isolation: iso, Start: t}
	s.InTx = explicit
	s.Failed = false
	s.Isolation = iso
	s.savepoints = s.savepoints[:0]
}

// lockedInTx reports whether the session holds a guarding row lock on a row
// matching keys in its open transaction.
func (s *Session) lockedInTx(table string, keys []WriteKey) bool {
	if !s.InTx || s.tx == nil {
		return false
	}
	for _, r := range s.ledger.rows {
		if r.TxID != s.tx.ID || r.Table != table {
			continue
		}
		if !r.Lock.PreventsLostUpdate() && !r.write {
			continue
		}
		if _, ok := matchesKeys(r, keys); ok {
			return true
		}
	}
	return false
}

// holdsRow reports whether the open transaction holds a row lock (FOR
// UPDATE/NO KEY UPDATE or a write) on a row matching keys.
func (s *Session) holdsRow(table string, keys []WriteKey) bool {
	if s.tx == nil {
		return false
	}
	for _, r := range s.tx.lockRows {
		if r.gone || r.TxID != s.tx.ID || r.Table != table || (!r.Lock.Guards() && !r.write) {
			continue
		}
		if _, ok := matchesKeys(r, keys); ok {
			return true
		}
	}
	return false
}

// maxTxLockRows bounds the rows a transaction remembers locking.
const maxTxLockRows = 256

// remember adds a row to the ledger and, when the open transaction locks
// it, to the transaction's lock rows: other sessions ask whether it holds
// a row on every write they send, and the ledger is mostly older reads.
func (s *Session) remember(r *ReadRow, t time.Time) {
	s.ledger.add(r, t)
	if tx := s.tx; tx != nil && r.TxID == tx.ID && (r.write || r.Lock != LockNone) && len(tx.lockRows) < maxTxLockRows {
		tx.lockRows = append(tx.lockRows, r)
	}
}

// rollbackTo releases locks taken after the savepoint.
func (s *Session) rollbackTo(name string) {
	idx := -1
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i] == name {
			idx = i
			break
		}
	}
	if idx < 0 || s.tx == nil {
		return
	}
	// The savepoint itself survives ROLLBACK TO; rows taken while it was
	// set (depth > idx) lose their locks.
	s.savepoints = s.savepoints[:idx+1]
	for _, r := range s.ledger.rows {
		if r.TxID == s.tx.ID && r.depth > idx {
			r.Lock = LockNone
			r.write = false
		}
	}
	kept := s.tx.locks[:0]
	for _, l := range s.tx.locks {
		if l.depth <= idx {
			kept = append(kept, l)
		}
	}
	s.tx.locks = kept
}

// startupIsolationOf reads `-c default_transaction_isolation=…` (or
// --default-transaction-isolation=…) from the startup options.
func startupIsolationOf(opts string) Isolation {
	fields := strings.Fields(opts)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if f == "-c" && i+1 < len(fields) {
			i++
			f = fields[i]
		}
		f = strings.TrimPrefix(strings.TrimPrefix(f, "-c"), "--")
		name, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		name = strings.ReplaceAll(strings.ToLower(name), "-", "_")
		if name == "default_transaction_isolation" {
			return ParseIsolation(strings.ReplaceAll(val, "\\ ", " "))
		}
	}
	return IsolationDefault
}

// noteAdvisory follows the session's exclusive advisory locks.
func (s *Session) noteAdvisory(op Advisory, e *Execution) {
	switch op {
	case AdvisoryXactLock:
		// The application serializes the code path: which rows the key
		// stands for is its business, so the lock covers every table.
		s.noteTxLock(anyTable, e)
	case AdvisorySessionLock:
		if s.advisorySession == 0 {
			s.advisorySessionSeq = e.Seq
		}
		s.advisorySession++
	case AdvisoryUnlock:
		if s.advisorySession > 0 {
			s.advisorySession--
		}
	case AdvisoryUnlockAll:
		s.advisorySession = 0
	}
}

// sqlPrepared is a statement PREPAREd in SQL: its facts, how many
// parameters EXECUTE supplies, and the PREPARE text's own literal values
// (args[params:], numbered after them as the normalizer numbers them).
type sqlPrepared struct {
	inner  *StatementFacts
	params int
	args   [][]byte
}

// maxSQLPrepared bounds the SQL-level prepared statements (and, apart,
// the cursors) remembered per session.
const maxSQLPrepared = 1000

// indirect handles the statements that name another one: EXECUTE of an
// SQL-level prepared statement and FETCH from a cursor are analysed as the
// statement they run; PREPARE and DECLARE are remembered, DEALLOCATE,
// CLOSE and DISCARD ALL forget. params is how many $n of a simple Query's
// text are a PREPARE's own parameters.
func (s *Session) indirect(e *Execution, params int) *Execution {
	f := e.Facts
	switch {
	case f.Prepare != nil:
		s.sqlPrepared = putNamed(s.sqlPrepared, f.Prepare.Name, &sqlPrepared{inner: f.Prepare.Inner, params: params, args: e.Args})
	case f.ExecuteName != "":
		if x := s.executeSQL(f, e); x != nil {
			return x
		}
	case f.Declare != nil:
		s.cursors = putNamed(s.cursors, f.Declare.Name, &sqlPrepared{inner: f.Declare.Inner, args: e.Args})
	case f.FetchCursor != "":
		if c := s.cursors[f.FetchCursor]; c != nil {
			return &Execution{Facts: c.inner, SQL: c.inner.Text, Args: c.args, Sent: e.Sent}
		}
	}
	s.sqlPrepared = dropNamed(s.sqlPrepared, f.Deallocate)
	s.cursors = dropNamed(s.cursors, f.CloseCursor)
	return e
}

// putNamed stores v under name, up to maxSQLPrepared names.
func putNamed(m map[string]*sqlPrepared, name string, v *sqlPrepared) map[string]*sqlPrepared {
	if m == nil {
		m = map[string]*sqlPrepared{}
	}
	if _, ok := m[name]; ok || len(m) < maxSQLPrepared {
		m[name] = v
	}
	return m
}

// dropNamed removes name ("*": all) from m.
func dropNamed(m map[string]*sqlPrepared, name string) map[string]*sqlPrepared {
	switch name {
	case "":
	case "*":
		return nil
	default:
		delete(m, name)
	}
	return m
}

// executeSQL returns the execution an EXECUTE stands for: the prepared
// statement with the EXECUTE's arguments as its parameters; nil when the
// name is unknown (prepared before the proxy saw the session).
func (s *Session) executeSQL(f *StatementFacts, e *Execution) *Execution {
	p := s.sqlPrepared[f.ExecuteName]
	if p == nil {
		return nil
	}
	args := make([][]byte, max(len(p.args), p.params))
	copy(args, p.args)
	for i := 0; i < p.params && i < len(f.ExecuteArgs); i++ {
		args[i] = nil
		if v, ok := e.Value(f.ExecuteArgs[i]); ok {
			args[i] = []byte(v)
		}
	}
	return &Execution{Facts: p.inner, SQL: p.inner.Text, Args: args, Sent: e.Sent}
}

// txLock is a lock statement Seq of the open transaction took on table
// (anyTable: an exclusive advisory lock), at savepoint depth depth.
type txLock struct {
	table string
	seq   uint64
	depth int
}

const anyTable = ""

// noteTxLock records a lock taken in the open transaction (LOCK TABLE and
// pg_advisory_xact_lock mean nothing outside one).
func (s *Session) noteTxLock(table string, e *Execution) {
	if s.InTx && s.tx != nil {
		s.tx.locks = append(s.tx.locks, txLock{table: table, seq: e.Seq, depth: len(s.savepoints)})
	}
}

// txLockGuards reports whether the open transaction took a lock covering
// table before read, in the same transaction as read, and still holds it.
func (s *Session) txLockGuards(table string, read *ReadRow) bool {
	if !s.InTx || s.tx == nil || read.TxID != s.tx.ID {
		return false
	}
	for _, l := range s.tx.locks {
		if (l.table == anyTable || l.table == table) && l.seq < read.Exec.Seq {
			return true
		}
	}
	return false
}

// sessionAdvisoryGuards reports whether an exclusive session-level
// advisory lock the session took before read is still held: the
// application serializes this code path, so no other session runs the
// same read-modify-write in between. (Which key the lock names is the
// application's business: pgrmw trusts that it covers the row.)
func (s *Session) sessionAdvisoryGuards(read *ReadRow) bool {
	return s.advisorySession > 0 && s.advisorySessionSeq < read.Exec.Seq
}
