package analyzer

import (
	"strings"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// StmtKind classifies a statement for the session state machine and rules.
type StmtKind uint8

const (
	StmtOther StmtKind = iota
	StmtSelect
	StmtInsert
	StmtUpdate
	StmtDelete
	StmtBegin // BEGIN / START TRANSACTION
	StmtCommit
	StmtRollback
	StmtSavepoint
	StmtRelease
	StmtRollbackTo
	StmtPrepareTransaction
	StmtSetTransaction // SET TRANSACTION …, SET transaction_isolation
	StmtSetSession     // SET SESSION CHARACTERISTICS, SET default_transaction_isolation
	StmtReset          // RESET default_transaction_isolation / RESET ALL / DISCARD ALL
	StmtUnparsable
)

var stmtKindNames = [...]string{"other", "select", "insert", "update", "delete", "begin", "commit",
	"rollback", "savepoint", "release", "rollback_to", "prepare_transaction", "set_transaction",
	"set_session", "reset", "unparsable"}

func (k StmtKind) String() string {
	if int(k) < len(stmtKindNames) {
		return stmtKindNames[k]
	}
	return "unknown"
}

// Isolation is a transaction isolation level. The zero value means "not
// stated" (the server default, READ COMMITTED).
type Isolation uint8

const (
	IsolationDefault Isolation = iota
	ReadUncommitted
	ReadCommitted
	RepeatableRead
	Serializable
)

func (i Isolation) String() string {
	switch i {
	case ReadUncommitted:
		return "read uncommitted"
	case ReadCommitted, IsolationDefault:
		return "read committed"
	case RepeatableRead:
		return "repeatable read"
	case Serializable:
		return "serializable"
	}
	return "unknown"
}

// Snapshot reports whether the level keeps one snapshot for the whole
// transaction, so PostgreSQL raises 40001 rather than lose a concurrent write.
func (i Isolation) Snapshot() bool { return i == RepeatableRead || i == Serializable }

// ParseIsolation reads "serializable", "repeatable read", "REPEATABLE-READ"…
func ParseIsolation(s string) Isolation {
	s = strings.ToLower(strings.TrimSpace(strings.Trim(s, "'\"")))
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	switch s {
	case "serializable":
		return Serializable
	case "repeatable read":
		return RepeatableRead
	case "read committed":
		return ReadCommitted
	case "read uncommitted":
		return ReadUncommitted
	}
	return IsolationDefault
}

// LockStrength is a row-level locking clause, weakest first.
type LockStrength uint8

const (
	LockNone LockStrength = iota
	LockForKeyShare
	LockForShare
	LockForNoKeyUpdate
	LockForUpdate
)

func (l LockStrength) String() string {
	switch l {
	case LockForKeyShare:
		return "FOR KEY SHARE"
	case LockForShare:
		return "FOR SHARE"
	case LockForNoKeyUpdate:
		return "FOR NO KEY UPDATE"
	case LockForUpdate:
		return "FOR UPDATE"
	}
	return ""
}

// Guards reports whether the lock keeps other writers of the row out until
// the transaction ends (FOR SHARE also blocks their UPDATE, but two sessions
// can both hold it and then deadlock; FOR KEY SHARE does not block an UPDATE
// of non-key columns).
func (l LockStrength) Guards() bool { return l >= LockForNoKeyUpdate }

// PreventsLostUpdate reports whether a read under this lock, held until the
// transaction ends, keeps a later write-back of the row from erasing another
// writer's update. FOR SHARE does (Hibernate PESSIMISTIC_READ, Rails
// lock("FOR SHARE")): every other UPDATE of the row waits for the end of the
// transaction, and two share-lock holders that both write deadlock (40P01)
// instead of losing a write. FOR KEY SHARE does not: it lets an UPDATE of
// non-key columns through.
func (l LockStrength) PreventsLostUpdate() bool { return l >= LockForShare }

// PreparedSQL is the statement a SQL-level PREPARE (or a DECLARE CURSOR)
// names and its facts.
type PreparedSQL struct {
	Name  string
	Inner *StatementFacts
}

// TableRef is one table a statement names.
type TableRef struct {
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	Alias  string `json:"alias,omitempty"`
}

// Operand is a value in a predicate or SET: a parameter ($n) or a literal.
// Literals are rare in cached facts: Normalize turns them into parameters.
type Operand struct {
	Param   int    // > 0: $Param
	Literal string // when IsLiteral
	// IsLiteral marks a literal constant (NULL has Null set).
	IsLiteral bool
	Null      bool
	Negate    bool // unary minus in front
}

// Valid reports whether the operand names a value.
func (o Operand) Valid() bool { return o.Param > 0 || o.IsLiteral }

// Predicate is an equality of a column with values: col = v, col IN (v…),
// col = ANY(v) (Array: v is an array parameter).
type Predicate struct {
	Table  string // resolved table name ("" when ambiguous)
	Column string
	Values []Operand
	Array  bool
}

// SelectTarget is one entry of a SELECT list in order, used to map the
// RowDescription's columns back to tables.
type SelectTarget struct {
	Table  string // resolved table ("" unknown)
	Column string // source column of a plain column reference
	Star   bool   // * or t.* (Table set for t.*)
}

// TableRead lists the columns a SELECT reads of one table.
type TableRead struct {
	Table   string
	Columns []string
	All     bool // * or t.*
}

// TableLock is a locking clause applied to one table.
type TableLock struct {
	Table      string
	Strength   LockStrength
	NoWait     bool
	SkipLocked bool
}

// SetTarget is one assignment of an UPDATE (or ON CONFLICT DO UPDATE).
type SetTarget struct {
	Column string
	// Relative: the value refers to the column itself (balance = balance + 1,
	// COALESCE(seats, 0) - 1, n = t.n + EXCLUDED.n): computed in SQL.
	Relative bool
	// Value: a plain parameter or literal, when the value is one.
	Value Operand
	// Increment: col = col + <constant or parameter> (version-style bump).
	Increment bool
	// ServerSide: the value holds no parameter or literal (now(), DEFAULT,
	// another column): PostgreSQL computes it, the client did not.
	ServerSide bool
	// StampName: the column is named as a last-change timestamp
	// (updated_at, updatedAt, …; see stamp.go).
	StampName bool
	// VersionName: the column is named as a version or concurrency token
	// (see versionLike).
	VersionName bool
}

// StatementFacts is what pgrmw knows about one SQL statement without a
// catalog. Facts are cached by text and shared: never modify them.
type StatementFacts struct {
	Kind StmtKind
	Text string // the statement as parsed (normalized: literals are $n)

	Tables     []TableRef
	Target     string // UPDATE/INSERT/DELETE table
	Predicates []Predicate
	Targets    []SelectTarget
	Reads      []TableRead
	Locks      []TableLock
	Sets       []SetTarget
	// ConflictColumns: INSERT … ON CONFLICT (cols) DO UPDATE.
	ConflictColumns  []string
	InsertColumns    []string
	InsertValues     []Operand // first VALUES row, aligned with InsertColumns
	Returning        bool
	OnConflictUpdate bool
	ModifyingCTE     bool

	Isolation      Isolation // BEGIN/SET TRANSACTION/SET SESSION …/SET default_transaction_isolation
	IsolationParam int       // SET … = $n (normalized literal)
	Savepoint      string
	Suppress       []string // from /* pgrmw:ignore RMW001 … */; "*" = every rule
	Advisory       Advisory // an advisory-lock function the statement calls
	// SQL-level prepared statements: PREPARE name AS …,
	// EXECUTE name(args), DEALLOCATE name ("*": DEALLOCATE ALL, DISCARD ALL).
	Prepare     *PreparedSQL
	ExecuteName string
	ExecuteArgs []Operand
	Deallocate  string
	// Cursors: DECLARE name CURSOR FOR …, FETCH/MOVE … FROM name, CLOSE
	// name ("*": CLOSE ALL, DISCARD ALL).
	Declare     *PreparedSQL
	FetchCursor string
	CloseCursor string
	// TableLocks: tables a LOCK TABLE takes in SHARE mode or stronger,
	// which keeps every other writer out until the transaction ends.
	TableLocks []string

	fpOnce      sync.Once
	fingerprint string
}

// Fingerprint is pg_query's fingerprint of the statement (the same for all
// literal values), computed on first use.
func (f *StatementFacts) Fingerprint() string {
	f.fpOnce.Do(func() {
		fp, err := pg_query.Fingerprint(f.Text)
		if err != nil {
			fp = "text:" + f.Text
		}
		f.fingerprint = fp
	})
	return f.fingerprint
}

// Suppressed reports whether a pgrmw:ignore comment names the rule.
func (f *StatementFacts) Suppressed(ruleID, ruleName string) bool {
	for _, s := range f.Suppress {
		if s == "*" || strings.EqualFold(s, ruleID) || (ruleName != "" && strings.EqualFold(s, ruleName)) {
			return true
		}
	}
	return false
}

// ReturnsRows reports whether the statement produces a result set.
func (f *StatementFacts) ReturnsRows() bool { return f.Kind == StmtSelect || f.Returning }

// TableOf resolves an alias or name to the table name.
func (f *StatementFacts) TableOf(qualifier string) string {
	for _, t := range f.Tables {
		if t.Alias == qualifier || (t.Alias == "" && t.Name == qualifier) {
			return t.Name
		}
	}
	for _, t := range f.Tables {
		if t.Name == qualifier {
			return t.Name
		}
	}
	return ""
}

// SetOf returns the SET target of column, if any.
func (f *StatementFacts) SetOf(column string) (SetTarget, bool) {
	for _, s := range f.Sets {
		if s.Column == column {
			return s, true
		}
	}
	return SetTarget{}, false
}

// LockOn returns the lock strength the statement takes on table.
func (f *StatementFacts) LockOn(table string) LockStrength {
	var best LockStrength
	for _, l := range f.Locks {
		if (l.Table == table || l.Table == "") && l.Strength > best {
			best = l.Strength
		}
	}
	return best
}

// parseSuppressions reads "pgrmw:ignore RMW001 RMW002 reason" comments.
func parseSuppressions(sql string) []string {
	var out []string
	for {
		i := strings.Index(sql, "pgrmw:ignore")
		if i < 0 {
			return out
		}
		sql = sql[i+len("pgrmw:ignore"):]
		named := false
		for _, w := range strings.Fields(sql) {
			w = strings.TrimRight(strings.TrimSuffix(w, "*/"), ",;")
			if isRuleRef(w) {
				out = append(out, strings.ToUpper(w))
				named = true
				continue
			}
			break
		}
		if !named {
			out = append(out, "*")
		}
	}
}

func isRuleRef(w string) bool {
	if len(w) < 4 || !strings.EqualFold(w[:3], "RMW") {
		return false
	}
	for _, c := range w[3:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Advisory is what a statement does with exclusive advisory locks
// (pg_advisory_lock and friends), which applications use to serialize a
// read-modify-write code path (Rails with_advisory_lock, hand-written
// "SELECT pg_advisory_xact_lock(hashtext('credit:' || $1))").
type Advisory uint8

// Advisory lock operations; shared advisory locks do not exclude each other
// and are not tracked.
const (
	AdvisoryNone        Advisory = iota
	AdvisoryXactLock             // pg_advisory_xact_lock / pg_try_advisory_xact_lock: until the transaction ends
	AdvisorySessionLock          // pg_advisory_lock / pg_try_advisory_lock: until unlocked
	AdvisoryUnlock               // pg_advisory_unlock
	AdvisoryUnlockAll            // pg_advisory_unlock_all
)

// advisoryOf finds the advisory-lock function a statement's text calls.
func advisoryOf(text string) Advisory {
	if !strings.Contains(text, "advisory") && !strings.Contains(text, "ADVISORY") {
		return AdvisoryNone
	}
	t := strings.ToLower(text)
	switch {
	case strings.Contains(t, "pg_advisory_xact_lock(") || strings.Contains(t, "pg_try_advisory_xact_lock("):
		return AdvisoryXactLock
	case strings.Contains(t, "pg_advisory_lock(") || strings.Contains(t, "pg_try_advisory_lock("):
		return AdvisorySessionLock
	case strings.Contains(t, "pg_advisory_unlock_all("):
		return AdvisoryUnlockAll
	case strings.Contains(t, "pg_advisory_unlock("):
		return AdvisoryUnlock
	}
	return AdvisoryNone
}
