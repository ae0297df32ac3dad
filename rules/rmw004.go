package rules

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw004.md
var rmw004Doc string

// RMW004 flags row locks held longer than Config.LockHeld.
var RMW004 = &analyzer.Rule{
	ID:       "RMW004",
	Name:     "lock-held-too-long",
	Severity: analyzer.SeverityWarning,
	Doc:      rmw004Doc,
	Run:      runRMW004,
}

func runRMW004(p *analyzer.Pass) {
	tx := p.Tx
	if p.Kind != analyzer.ObsTxEnd || tx == nil || !tx.Explicit || tx.LockSince.IsZero() || tx.LockExec == nil {
		return
	}
	held := tx.End.Sub(tx.LockSince)
	// Time spent queued on other sessions' row locks is contention (see
	// RMW007), not this code keeping its lock while it works.
	if held-tx.LockWait <= p.Config.LockHeld {
		return
	}
	if suppressed(p.Rule(), tx.LockExec, tx.EndExec) {
		return
	}
	idle := tx.ClientIdle
	if idle > held {
		idle = held
	}
	server := held - idle
	end := "the session ended"
	refs := []analyzer.StatementRef{ref("lock", tx.LockExec)}
	if tx.EndExec != nil {
		end = tx.EndExec.Facts.Kind.String()
		refs = append(refs, ref("end", tx.EndExec))
		end = map[string]string{"commit": "COMMIT", "rollback": "ROLLBACK", "prepare_transaction": "PREPARE TRANSACTION"}[end]
	}
	table, key := lockTarget(tx.LockExec)
	split := ""
	if p.HasResults {
		split = fmt.Sprintf(": %s waiting for the client, %s in the server", round(idle), round(server))
		if tx.LockWait > 0 {
			split += fmt.Sprintf(" (%s of it queued on other sessions' row locks)", round(tx.LockWait))
		}
	}
	p.Report(analyzer.Finding{
		Message: fmt.Sprintf("row lock on %s %s held %s before %s (threshold %s)%s",
			table, keyText(key), round(held), end, p.Config.LockHeld, split),
		Table:       table,
		Key:         key,
		Statements:  refs,
		Summary:     fmt.Sprintf("held %s; client idle %s; server %s", round(held), round(idle), round(server)),
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, tx.LockExec.Facts.Fingerprint(), end),
		Fix:         "do slow work before taking the lock or after COMMIT; or use an atomic UPDATE or a version column so no lock is held while the application works",
	})
}

func lockTarget(e *analyzer.Execution) (string, *analyzer.RowKey) {
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
	for _, pr := range f.Predicates {
		if pr.Table != "" && pr.Table != table {
			continue
		}
		if vals := e.PredicateValues(pr); len(vals) > 0 {
			return table, &analyzer.RowKey{Column: pr.Column, Value: vals[0]}
		}
	}
	return table, nil
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
