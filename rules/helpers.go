package rules

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// suppressed reports whether a pgrmw:ignore comment on any of the
// executions names the rule.
func suppressed(r *analyzer.Rule, execs ...*analyzer.Execution) bool {
	for _, e := range execs {
		if e != nil && e.Facts.Suppressed(r.ID, r.Name) {
			return true
		}
	}
	return false
}

func ref(role string, e *analyzer.Execution) analyzer.StatementRef {
	s := analyzer.StatementRef{Role: role, SQL: e.SQL, Time: e.Sent, Tag: e.Tag}
	if e.SQLState != "" {
		s.Tag = e.SQLState
	}
	return s
}

// numericDelta returns written - read when both are numbers.
func numericDelta(read, written string) (string, bool) {
	r, ok1 := new(big.Rat).SetString(read)
	w, ok2 := new(big.Rat).SetString(written)
	if !ok1 || !ok2 {
		return "", false
	}
	d := new(big.Rat).Sub(w, r)
	return ratString(d), true
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(r.FloatString(6), "0"), ".")
}

// quoteIdent quotes an identifier when it needs it.
var plainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func quoteIdent(s string) string {
	if plainIdent.MatchString(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteValue(v string) string {
	if _, ok := new(big.Rat).SetString(v); ok {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

func keyText(k *analyzer.RowKey) string {
	if k == nil {
		return "?"
	}
	return fmt.Sprintf("%s=%s", k.Column, k.Value)
}

func sessionLabel(info analyzer.SessionInfo) string {
	if info.ApplicationName != "" {
		return info.ApplicationName
	}
	return info.ID
}
