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
	if p.Kind != analyzer.ObsStatement || w == nil || len(w.Bases) == 0 {
		return
	}
	if w.VersionColumn != "" && w.VersionAdvanced {
		return
	}
	// One finding per row written back: a multi-row UPDATE (Django's
	// bulk_update) can lose an update on each of them.
	for i := range w.Bases {
		b := &w.Bases[i]
		if !b.WithinWindow || b.Locked || b.SameSnapshot {
			continue
		}
		if suppressed(p.Rule(), b.Read.Exec, w.Exec) {
			continue
		}
		report001(p, w, b)
	}
}

func report001(p *analyzer.Pass, w *analyzer.WriteRecord, b *analyzer.RowBasis) {
	read := b.Read.Exec
	cols := b.ReadColumns
	key := &b.ReadKey
	iso := w.Exec.Isolate.String()
	where := "in a later transaction"
	if w.Exec.InTx && b.Read.TxID == w.Exec.TxID {
		where = "in the same " + strings.ToUpper(iso) + " transaction"
	}
	p.Report(analyzer.Finding{
		Message: fmt.Sprintf("%s.%s of row %s was read, then written back %s with a value computed outside the database; a concurrent update in between is lost",
			w.Table, strings.Join(cols, ", "), keyText(key), where),
		Table:     w.Table,
		Key:       key,
		Columns:   cols,
		Isolation: iso,
		Statements: []analyzer.StatementRef{
			readRef(b),
			ref("write", w.Exec),
		},
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, read.Facts.Fingerprint(), w.Exec.Facts.Fingerprint(), w.Table, strings.Join(cols, ",")),
		Fix:         fixText(w, b, cols, key),
	})
}

func readRef(b *analyzer.RowBasis) analyzer.StatementRef {
	r := ref("read", b.Read.Exec)
	var vals []string
	for _, c := range b.ReadColumns {
		if v, ok := b.Read.Value(c); ok && !analyzer.IsHiddenValue(v) {
			vals = append(vals, c+"="+v)
		}
	}
	r.Result = strings.Join(vals, ", ")
	return r
}

// fixText proposes the atomic UPDATE when read and written values show a
// numeric delta, otherwise the version-predicate and FOR UPDATE forms.
func fixText(w *analyzer.WriteRecord, b *analyzer.RowBasis, cols []string, key *analyzer.RowKey) string {
	return fixFor(w.Table, key, cols, b.Read.Value, func(c string) (string, bool) { return writtenValue(w, c) })
}

// writtenValue is the value the UPDATE sets column c to, when it is a plain
// parameter or literal.
func writtenValue(w *analyzer.WriteRecord, c string) (string, bool) {
	if set, ok := w.Exec.Facts.SetOf(c); ok {
		return w.Exec.Value(set.Value)
	}
	return "", false
}

// fixFor builds the fix from the values read and written.
func fixFor(tableName string, key *analyzer.RowKey, cols []string, readValue, writtenValue func(string) (string, bool)) string {
	table := quoteIdent(tableName)
	where := "<key> = $1"
	if key != nil {
		where = quoteIdent(key.Column) + " = " + quoteValue(key.Value)
	}
	if len(cols) == 1 {
		c := cols[0]
		read, ok1 := readValue(c)
		written, ok2 := writtenValue(c)
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
	// The table may already have a version column that the UPDATE writes
	// without checking it (TypeORM, a hand-rolled one): use it.
	version, advice := "version", "add a version column and write"
	var sets []string
	for _, c := range cols {
		if analyzer.IsVersionColumn(c) && version == "version" {
			version, advice = quoteIdent(c), "check the version column you already write:"
			continue
		}
		sets = append(sets, fmt.Sprintf("%s = $%d", quoteIdent(c), len(sets)+1))
	}
	n := len(sets) + 1
	sets = append(sets, fmt.Sprintf("%s = %s + 1", version, version))
	return fmt.Sprintf("guard the write: %s UPDATE %s SET %s WHERE %s AND %s = $%d (retry on UPDATE 0); "+
		"or lock the row when reading it, in the same short transaction: SELECT … FROM %s WHERE %s FOR UPDATE",
		advice, table, strings.Join(sets, ", "), where, version, n, table, where)
}
