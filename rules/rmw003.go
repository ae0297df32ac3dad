package rules

import (
	_ "embed"
	"fmt"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw003.md
var rmw003Doc string

// RMW003 flags an optimistic conflict (UPDATE 0 under a version predicate)
// that the session ignored.
var RMW003 = &analyzer.Rule{
	ID:           "RMW003",
	Name:         "ignored-optimistic-conflict",
	Severity:     analyzer.SeverityError,
	Doc:          rmw003Doc,
	NeedsResults: true,
	Run:          runRMW003,
}

type conflict003 struct {
	w *analyzer.WriteRecord
}

type rmw003State struct{ pending []conflict003 }

func runRMW003(p *analyzer.Pass) {
	switch p.Kind {
	case analyzer.ObsResult:
		w := p.Write
		if w == nil || w.VersionColumn == "" || !w.VersionAdvanced {
			return
		}
		if n, ok := w.Exec.RowsAffected(); !ok || n != 0 || suppressed(p.Rule(), w.Exec) {
			return
		}
		st := p.SessionState(func() any { return &rmw003State{} }).(*rmw003State)
		if len(st.pending) < 16 {
			st.pending = append(st.pending, conflict003{w: w})
		}
	case analyzer.ObsStatement:
		st, ok := p.SessionState(func() any { return &rmw003State{} }).(*rmw003State)
		if !ok || len(st.pending) == 0 {
			return
		}
		e := p.Exec
		f := e.Facts
		switch f.Kind {
		case analyzer.StmtRollback, analyzer.StmtRollbackTo:
			st.pending = st.pending[:0]
		case analyzer.StmtSelect:
			// A re-read of a conflicting row clears it.
			keep := st.pending[:0]
			for _, c := range st.pending {
				if !rereads(e, c.w) {
					keep = append(keep, c)
				}
			}
			st.pending = keep
		case analyzer.StmtCommit:
			report003(p, st, "committed")
		case analyzer.StmtUpdate, analyzer.StmtInsert, analyzer.StmtDelete:
			// Writing the same row again is a retry (maybe a bad one);
			// writing elsewhere is going on.
			for _, c := range st.pending {
				if f.Target == c.w.Table && p.Write != nil && sameRow(p.Write, c.w) {
					return
				}
			}
			report003(p, st, "went on to write elsewhere")
		}
	case analyzer.ObsSessionEnd:
		if st, ok := p.SessionState(func() any { return &rmw003State{} }).(*rmw003State); ok && len(st.pending) > 0 {
			report003(p, st, "ended the session")
		}
	}
}

// rereads reports whether a SELECT reads the conflicting row again.
func rereads(e *analyzer.Execution, w *analyzer.WriteRecord) bool {
	for _, p := range e.Facts.Predicates {
		if p.Table != "" && p.Table != w.Table {
			continue
		}
		if p.Table == "" && !readsTable(e.Facts, w.Table) {
			continue
		}
		if p.Column == w.VersionColumn {
			continue
		}
		vals := e.PredicateValues(p)
		for _, k := range w.Keys {
			if k.Column != p.Column {
				continue
			}
			for _, v := range vals {
				if containsStr(k.Values, v) {
					return true
				}
			}
		}
	}
	return false
}

func readsTable(f *analyzer.StatementFacts, table string) bool {
	for _, t := range f.Tables {
		if t.Name == table {
			return true
		}
	}
	return false
}

func sameRow(a, b *analyzer.WriteRecord) bool {
	for _, ka := range a.Keys {
		if ka.Column == a.VersionColumn {
			continue
		}
		for _, kb := range b.Keys {
			if ka.Column == kb.Column && len(overlap(ka.Values, kb.Values)) > 0 {
				return true
			}
		}
	}
	return false
}

func report003(p *analyzer.Pass, st *rmw003State, what string) {
	for _, c := range st.pending {
		w := c.w
		refs := []analyzer.StatementRef{ref("write", w.Exec)}
		if p.Exec != nil {
			refs = append(refs, ref("then", p.Exec))
		}
		p.Report(analyzer.Finding{
			Message: fmt.Sprintf("optimistic-lock UPDATE of %s %s matched no row (%s: another writer changed it) and the session %s without re-reading it: the change was silently dropped",
				w.Table, keyText(w.Key()), w.Exec.Tag, what),
			Table:       w.Table,
			Key:         w.Key(),
			Columns:     w.Absolute,
			Statements:  refs,
			Fingerprint: analyzer.Fingerprint(p.Rule().ID, w.Exec.Facts.Fingerprint(), w.Table),
			Fix:         "check the affected row count of the UPDATE; on 0, re-read the row, re-apply the change and retry (bounded), or report the conflict to the user",
		})
	}
	st.pending = st.pending[:0]
}
