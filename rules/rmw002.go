package rules

import (
	_ "embed"
	"fmt"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw002.md
var rmw002Doc string

// RMW002 flags an UPDATE with half an optimistic lock: a version column
// advanced but not checked, or checked but not advanced.
var RMW002 = &analyzer.Rule{
	ID:       "RMW002",
	Name:     "broken-optimistic-lock",
	Severity: analyzer.SeverityWarning,
	Doc:      rmw002Doc,
	Run:      runRMW002,
}

func runRMW002(p *analyzer.Pass) {
	w := p.Write
	if p.Kind != analyzer.ObsStatement || w == nil || w.Exec.Facts.Kind != analyzer.StmtUpdate {
		return
	}
	if suppressed(p.Rule(), w.Exec) {
		return
	}
	e := w.Exec
	f := e.Facts
	// Checked but never advanced.
	if w.VersionColumn != "" && analyzer.IsVersionColumn(w.VersionColumn) && !w.VersionAdvanced {
		report002(p, w, w.VersionColumn, fmt.Sprintf("UPDATE of %s checks %s but sets it to the same value: the next writer's check still matches, so concurrent writes are not detected", w.Table, w.VersionColumn))
		return
	}
	for _, k := range f.Predicates {
		if analyzer.IsVersionColumn(k.Column) && (k.Table == "" || k.Table == w.Table) {
			if _, set := f.SetOf(k.Column); !set {
				report002(p, w, k.Column, fmt.Sprintf("UPDATE of %s checks %s but never advances it: every writer's check matches, so concurrent writes are not detected", w.Table, k.Column))
				return
			}
		}
	}
	// Advanced but not checked.
	for _, s := range f.Sets {
		if !analyzer.IsVersionColumn(s.Column) || w.VersionColumn == s.Column {
			continue
		}
		advanced := s.Increment
		if !advanced && !s.Relative && w.Read != nil {
			if read, ok := w.Read.Value(s.Column); ok {
				if v, ok := e.Value(s.Value); ok {
					advanced = analyzer.IsSuccessor(read, v)
				}
			}
		}
		if advanced {
			report002(p, w, s.Column, fmt.Sprintf("UPDATE of %s advances %s without checking it in WHERE: the version is bumped but a concurrent write is silently overwritten", w.Table, s.Column))
			return
		}
	}
}

func report002(p *analyzer.Pass, w *analyzer.WriteRecord, col, msg string) {
	refs := []analyzer.StatementRef{ref("write", w.Exec)}
	if w.Read != nil {
		refs = append([]analyzer.StatementRef{ref("read", w.Read.Exec)}, refs...)
	}
	p.Report(analyzer.Finding{
		Message:     msg,
		Table:       w.Table,
		Key:         w.Key(),
		Columns:     []string{col},
		Statements:  refs,
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, w.Exec.Facts.Fingerprint(), w.Table, col),
		Fix: fmt.Sprintf("check and advance %s in the same UPDATE: … SET …, %s = %s + 1 WHERE <key> = $1 AND %s = $2; re-read and retry when it reports UPDATE 0",
			col, quoteIdent(col), quoteIdent(col), quoteIdent(col)),
	})
}
