package rules

import (
	_ "embed"
	"fmt"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw008.md
var rmw008Doc string

// RMW008 flags a 40001/40P01 failure whose transaction was never rerun.
var RMW008 = &analyzer.Rule{
	ID:           "RMW008",
	Name:         "serialization-failure-not-retried",
	Severity:     analyzer.SeverityWarning,
	Doc:          rmw008Doc,
	NeedsResults: true,
	Run:          runRMW008,
}

type failed008 struct {
	exec     *analyzer.Execution
	sqlstate string
	texts    map[string]bool // normalized statements of the failed transaction
	txID     uint64
}

type rmw008State struct{ failed *failed008 }

func txControl(k analyzer.StmtKind) bool {
	switch k {
	case analyzer.StmtBegin, analyzer.StmtCommit, analyzer.StmtRollback, analyzer.StmtSavepoint,
		analyzer.StmtRelease, analyzer.StmtRollbackTo, analyzer.StmtSetTransaction, analyzer.StmtSetSession, analyzer.StmtReset, analyzer.StmtOther:
		return true
	}
	return false
}

func runRMW008(p *analyzer.Pass) {
	switch p.Kind {
	case analyzer.ObsError:
		if p.Event.SQLState != "40001" && p.Event.SQLState != "40P01" || p.Exec == nil {
			return
		}
		st := p.SessionState(func() any { return &rmw008State{} }).(*rmw008State)
		f := &failed008{exec: p.Exec, sqlstate: p.Event.SQLState, texts: map[string]bool{}}
		if tx := p.Tx; tx != nil {
			f.txID = tx.ID
			for _, e := range tx.Execs {
				if !txControl(e.Facts.Kind) {
					f.texts[e.Facts.Text] = true
				}
			}
		}
		if !txControl(p.Exec.Facts.Kind) {
			f.texts[p.Exec.Facts.Text] = true
		}
		if suppressed(p.Rule(), p.Exec) {
			return
		}
		st.failed = f
	case analyzer.ObsStatement:
		st, ok := p.SessionState(func() any { return &rmw008State{} }).(*rmw008State)
		if !ok || st.failed == nil || p.Exec.TxID == st.failed.txID {
			return
		}
		f := p.Exec.Facts
		if st.failed.texts[f.Text] {
			st.failed = nil // the transaction runs again
			return
		}
		switch f.Kind {
		case analyzer.StmtCommit, analyzer.StmtUpdate, analyzer.StmtInsert, analyzer.StmtDelete:
			report008(p, st, "went on to other work")
		}
	case analyzer.ObsSessionEnd:
		if st, ok := p.SessionState(func() any { return &rmw008State{} }).(*rmw008State); ok && st.failed != nil {
			report008(p, st, "ended the session")
		}
	}
}

func report008(p *analyzer.Pass, st *rmw008State, what string) {
	fl := st.failed
	st.failed = nil
	name := map[string]string{"40001": "serialization failure", "40P01": "deadlock"}[fl.sqlstate]
	refs := []analyzer.StatementRef{ref("failed", fl.exec)}
	if p.Exec != nil {
		refs = append(refs, ref("then", p.Exec))
	}
	table := fl.exec.Facts.Target
	if table == "" && len(fl.exec.Facts.Tables) > 0 {
		table = fl.exec.Facts.Tables[0].Name
	}
	p.Report(analyzer.Finding{
		Message:     fmt.Sprintf("transaction failed with %s (%s) and the session %s without running it again: its writes never happened", fl.sqlstate, name, what),
		Table:       table,
		Statements:  refs,
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, fl.exec.Facts.Fingerprint(), fl.sqlstate),
		Fix:         "retry the whole transaction on SQLSTATE 40001/40P01 (from BEGIN, re-reading everything), a bounded number of times with jitter",
	})
}
