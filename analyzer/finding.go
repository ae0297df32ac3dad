package analyzer

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Severity orders findings for --fail-on and for display.
type Severity int

const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityError
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "unknown"
}

// ParseSeverity accepts "info", "warning" (or "warn") and "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info":
		return SeverityInfo, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "error":
		return SeverityError, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalJSON writes the severity as its name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("severity: %w", err)
	}
	v, err := ParseSeverity(name)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// SessionInfo identifies where a statement ran.
type SessionInfo struct {
	ID              string `json:"id"`
	ApplicationName string `json:"application_name,omitempty"`
	User            string `json:"user,omitempty"`
	Database        string `json:"database,omitempty"`
}

// StatementRef is one statement a finding points at.
type StatementRef struct {
	Role    string    `json:"role"` // "read", "write", "lock", "commit", …
	SQL     string    `json:"sql"`
	Time    time.Time `json:"time"`
	Session string    `json:"session,omitempty"` // set when the finding spans sessions
	Tag     string    `json:"tag,omitempty"`     // command tag or SQLSTATE when known
	Result  string    `json:"result,omitempty"`  // e.g. the value read, when known and allowed
}

// RowKey names one row: table + key column + value.
type RowKey struct {
	Column string `json:"column"`
	Value  string `json:"value"`
}

// TimelineEntry is one mark on a cross-session timeline (RMW006 and reports).
type TimelineEntry struct {
	Offset  time.Duration `json:"offset_ns"` // since the first entry
	Session string        `json:"session"`
	Label   string        `json:"label"` // application_name or session id
	SQL     string        `json:"sql"`
	Result  string        `json:"result,omitempty"`
	Note    string        `json:"note,omitempty"` // e.g. "overwrites 250"
}

// Finding is one occurrence of a rule firing. Its JSON form is a public
// contract: the proxy's --findings file, `pgrmw lint --format json` and the
// reports all use it. Add fields; never rename them.
type Finding struct {
	Rule        string          `json:"rule"` // "RMW001"
	Name        string          `json:"name"` // "unguarded-read-modify-write"
	Severity    Severity        `json:"severity"`
	Message     string          `json:"message"`
	Session     SessionInfo     `json:"session"`
	Sessions    []SessionInfo   `json:"sessions,omitempty"` // every session involved, for cross-session rules
	Table       string          `json:"table,omitempty"`
	Key         *RowKey         `json:"key,omitempty"`
	Columns     []string        `json:"columns,omitempty"`
	Isolation   string          `json:"isolation,omitempty"`
	Statements  []StatementRef  `json:"statements"`
	Timeline    []TimelineEntry `json:"timeline,omitempty"`
	Summary     string          `json:"summary,omitempty"` // e.g. "expected 650, stored 500: the +150 was lost"
	Fingerprint string          `json:"fingerprint"`
	Fix         string          `json:"fix,omitempty"`
	Time        time.Time       `json:"time"`
	Action      string          `json:"action,omitempty"` // "log" or "block"
}
