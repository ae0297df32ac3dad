package rules

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw007.md
var rmw007Doc string

// RMW007 flags rows with frequent write conflicts.
var RMW007 = &analyzer.Rule{
	ID:           "RMW007",
	Name:         "hot-row-contention",
	Severity:     analyzer.SeverityWarning,
	Doc:          rmw007Doc,
	NeedsResults: true,
	Run:          runRMW007,
}

type rmw007State struct {
	byRow map[string][]time.Time
}

func runRMW007(p *analyzer.Pass) {
	var w *analyzer.WriteRecord
	kind := ""
	switch p.Kind {
	case analyzer.ObsResult:
		w = p.Write
		if w == nil || w.VersionColumn == "" || !w.VersionAdvanced {
			return
		}
		if n, ok := w.Exec.RowsAffected(); !ok || n != 0 {
			return
		}
		kind = "optimistic conflict"
	case analyzer.ObsError:
		switch p.Event.SQLState {
		case "40001":
			kind = "serialization failure"
		case "40P01":
			kind = "deadlock"
		default:
			return
		}
		w = p.Write
		if w == nil && p.Tx != nil && len(p.Tx.Writes) > 0 {
			w = p.Tx.Writes[0]
		}
		if w == nil {
			return
		}
	default:
		return
	}
	key := w.Key()
	if key == nil || suppressed(p.Rule(), w.Exec) {
		return
	}
	st := p.Shared(func() any { return &rmw007State{byRow: map[string][]time.Time{}} }).(*rmw007State)
	rowID := w.Table + "\x00" + key.Column + "\x00" + key.Value
	now := p.Now()
	times := st.byRow[rowID][:0:0]
	for _, t := range st.byRow[rowID] {
		if now.Sub(t) <= p.Config.HotRow.Window {
			times = append(times, t)
		}
	}
	times = append(times, now)
	if len(times) < p.Config.HotRow.Conflicts {
		if len(st.byRow) >= maxTrackedRows {
			clear(st.byRow)
		}
		st.byRow[rowID] = times
		return
	}
	delete(st.byRow, rowID)
	p.Report(analyzer.Finding{
		Message: fmt.Sprintf("hot row %s %s: %d write conflicts within %s (latest: %s); optimistic locking is the wrong tool here",
			w.Table, keyText(key), len(times), p.Config.HotRow.Window, kind),
		Table:       w.Table,
		Key:         key,
		Columns:     w.Absolute,
		Statements:  []analyzer.StatementRef{ref("write", w.Exec)},
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, w.Exec.Facts.Fingerprint(), w.Table),
		Fix:         "make the write atomic (SET n = n + $1), or lock the row with SELECT … FOR UPDATE held briefly, or route writes of this row through one serialized writer",
	})
}
