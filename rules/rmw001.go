package rules

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw001.md
var rmw001Doc string

// RMW001 flags an UPDATE that writes back a value the session read, computed
// outside the database, with no lock, version predicate or snapshot
// isolation guarding the gap. Reported when the UPDATE is sent, so block mode
// can refuse it.
var RMW001 = &analyzer.Rule{
	ID:       "RMW001",
	Name:     "unguarded-read-modify-write",
	Severity: analyzer.SeverityWarning,
	Doc:      rmw001Doc,
	Run:      runRMW001,
}

func runRMW001(p *analyzer.Pass) {
	w := p.Write
	if p.Kind != analyzer.ObsStatement || w == nil || w.Read == nil {
		return
	}
	if !w.WithinWindow || w.Locked || w.SameSnapshot {
		return
	}
	if w.VersionColumn != "" && w.VersionAdvanced {
		return
	}
	read := w.Read.Exec
	if suppressed(p.Rule(), read, w.Exec) {
		return
	}
	cols := w.ReadColumns
	key := w.Key()
	iso := w.Exec.Isolate.String()
	where := "in a later transaction"
	if w.Exec.InTx && w.Read.TxID == w.Exec.TxID {
		where = "in the same " + strings.ToUpper(iso) + " transaction"
	}
	f := analyzer.Finding{
		Message: fmt.Sprintf("%s.%s of row %s was read, then written back %s with a value computed outside the database; a concurrent update in between is lost",
			w.Table, strings.Join(cols, ", "), keyText(key), where),
		Table:     w.Table,
		Key:       key,
		Columns:   cols,
		Isolation: iso,
		Statements: []analyzer.StatementRef{
			readRef(w),
			ref("write", w.Exec),
		},
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, read.Facts.Fingerprint(), w.Exec.Facts.Fingerprint(), w.Table, strings.Join(cols, ",")),
		Fix:         fixText(w, cols, key),
	}
	p.Report(f)
}

func readRef(w *analyzer.WriteRecord) analyzer.StatementRef {
	r := ref("read", w.Read.Exec)
	var vals []string
	for _, c := range w.ReadColumns {
		if v, ok := w.Read.Value(c); ok && !hidden(v) {
			vals = append(vals, c+"="+v)
		}
	}
	r.Result = strings.Join(vals, ", ")
	return r
}

// fixText proposes the atomic UPDATE when read and written values show a
// numeric delta, otherwise the version-predicate and FOR UPDATE forms.
func fixText(w *analyzer.WriteRecord, cols []string, key *analyzer.RowKey) string {
	table := quoteIdent(w.Table)
	where := "<key> = $1"
	if key != nil {
		where = quoteIdent(key.Column) + " = " + quoteValue(key.Value)
	}
	if len(cols) == 1 {
		c := cols[0]
		read, ok1 := w.Read.Value(c)
		var written string
		ok2 := false
		if set, ok := w.Exec.Facts.SetOf(c); ok {
			written, ok2 = w.Exec.Value(set.Value)
		}
		if ok1 && ok2 {
			if d, ok := numericDelta(read, written); ok {
				op := "+"
				if strings.HasPrefix(d, "-") {
					op, d = "-", d[1:]
				}
				return fmt.Sprintf("make the update atomic: UPDATE %s SET %s = %s %s %s WHERE %s",
					table, quoteIdent(c), quoteIdent(c), op, d, where)
			}
		}
	}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = fmt.Sprintf("%s = $%d", quoteIdent(c), i+1)
	}
	n := len(cols) + 1
	return fmt.Sprintf("guard the write: add a version column and write UPDATE %s SET %s, version = version + 1 WHERE %s AND version = $%d (retry on UPDATE 0); "+
		"or lock the row when reading it, in the same short transaction: SELECT … FROM %s WHERE %s FOR UPDATE",
		table, strings.Join(sets, ", "), where, n, table, where)
}
