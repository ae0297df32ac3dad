package rules

import (
	_ "embed"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

//go:embed rmw006.md
var rmw006Doc string

// RMW006 proves a lost update across sessions from committed writes.
var RMW006 = &analyzer.Rule{
	ID:           "RMW006",
	Name:         "lost-update-observed",
	Severity:     analyzer.SeverityError,
	Doc:          rmw006Doc,
	NeedsResults: true,
	Run:          runRMW006,
}

// committedWrite is a read-modify-write that committed.
type committedWrite struct {
	session   analyzer.SessionInfo
	cols      []string
	readVals  values // of cols
	written   values // of cols, where the SET is a plain value
	readSQL   string
	readTime  time.Time
	readDone  time.Time
	writeSQL  string
	writeTime time.Time
	writeTag  string
	commit    time.Time
	readFP    string
	writeFP   string
	isolation string
	table     string
	key       analyzer.RowKey
	tx        analyzer.TxRef // the committed transaction
	waitedFor analyzer.TxRef // whose row lock its write waited for
}

const (
	maxWritesPerRow = 4
	maxTrackedRows  = 100000
)

type rmw006State struct {
	byRow map[string][]*committedWrite
	// recorded lists the row ids in commit order, to forget committed
	// writes no later transaction can still race with (see prune).
	recorded []recordedRow
}

type recordedRow struct {
	id     string
	commit time.Time
}

// values holds column values in a slice: a map per committed write costs
// more than the handful of columns it holds.
type values []analyzer.KV

func (v values) get(c string) (string, bool) { return analyzer.LookupKV(v, c) }

// prune forgets the writes committed more than twice the analyzer's window
// before now: a transaction that still races with them would have read the
// row that long before writing it, past the window every rule uses. It
// keeps the state in proportion to the write rate, not to the input's size.
func (st *rmw006State) prune(now time.Time, window time.Duration) {
	cutoff := now.Add(-2 * window)
	n := 0
	for n < len(st.recorded) && st.recorded[n].commit.Before(cutoff) {
		r := st.recorded[n]
		list := st.byRow[r.id]
		keep := list[:0]
		for _, cw := range list {
			if !cw.commit.Before(cutoff) {
				keep = append(keep, cw)
			}
		}
		if len(keep) == 0 {
			delete(st.byRow, r.id)
		} else {
			st.byRow[r.id] = keep
		}
		n++
	}
	if n > 0 {
		st.recorded = append(st.recorded[:0], st.recorded[n:]...)
	}
}

func runRMW006(p *analyzer.Pass) {
	if p.Kind != analyzer.ObsTxEnd || p.Tx == nil || !p.Tx.Committed || len(p.Tx.Writes) == 0 {
		return
	}
	st := p.Shared(func() any { return &rmw006State{byRow: map[string][]*committedWrite{}} }).(*rmw006State)
	st.prune(p.Tx.End, p.Config.Window)
	for _, w := range p.Tx.Writes {
		n, ok := w.Exec.RowsAffected()
		if !ok || n == 0 || w.Exec.SQLState != "" {
			continue
		}
		for i := range w.Bases {
			observe006(p, st, w, &w.Bases[i])
		}
	}
}

// observe006 checks one committed row write against the earlier committed
// writes of the same row, then records it.
func observe006(p *analyzer.Pass, st *rmw006State, w *analyzer.WriteRecord, b *analyzer.RowBasis) {
	if len(b.ReadColumns) == 0 {
		return
	}
	key := &b.ReadKey
	// The row is known under each column = value that selected it: two
	// code paths may write it by different keys (id, email).
	ids := rowIDs(w, b)
	cw := newCommittedWrite(p, w, b)
	reported := false
	for _, rowID := range ids {
		for _, prev := range st.byRow[rowID] {
			if reported || prev.session.ID == cw.session.ID {
				continue
			}
			// Commits reach the analyzer in the order the proxy relayed
			// them, which a busy machine can swap between sessions; a
			// write that waited for our row lock committed after us.
			first, second := prev, cw
			if prev.waitedFor == cw.tx {
				first, second = cw, prev
			}
			cols := overlap(first.cols, second.cols)
			if len(cols) == 0 || !sameVersion(first, second, cols) || wroteWhatItRead(first, cols) {
				continue
			}
			if suppressed(p.Rule(), b.Read.Exec, w.Exec) {
				continue
			}
			report006(p, w.Table, key, first, second, cols)
			reported = true
		}
	}
	for _, rowID := range ids {
		list := st.byRow[rowID]
		if list == nil && len(st.byRow) >= maxTrackedRows {
			clear(st.byRow)
			st.recorded = st.recorded[:0]
		}
		list = append(list, cw)
		if len(list) > maxWritesPerRow {
			list = list[len(list)-maxWritesPerRow:]
		}
		st.byRow[rowID] = list
		st.recorded = append(st.recorded, recordedRow{id: rowID, commit: cw.commit})
	}
}

// rowIDs names the written row by each single-valued key of the UPDATE and
// by the key that tied it to the read.
func rowIDs(w *analyzer.WriteRecord, b *analyzer.RowBasis) []string {
	var ids []string
	add := func(col, val string) {
		id := w.Table + "\x00" + col + "\x00" + val
		if !containsStr(ids, id) {
			ids = append(ids, id)
		}
	}
	if b.ReadKey.Column != "" {
		add(b.ReadKey.Column, b.ReadKey.Value)
	}
	if len(w.Bases) > 1 {
		// A multi-row write: its other keys name several rows.
		return ids
	}
	for _, k := range w.Keys {
		if len(k.Values) == 1 && k.Column != w.VersionColumn {
			add(k.Column, k.Values[0])
		}
	}
	return ids
}

func newCommittedWrite(p *analyzer.Pass, w *analyzer.WriteRecord, b *analyzer.RowBasis) *committedWrite {
	r := b.Read.Exec
	cw := &committedWrite{
		session: p.Session.Info, cols: b.ReadColumns,
		readSQL: r.SQL, readTime: r.Sent, readDone: r.Done,
		writeSQL: w.Exec.SQL, writeTime: w.Exec.Sent, writeTag: w.Exec.Tag,
		commit: p.Tx.End, readFP: r.Facts.Fingerprint(), writeFP: w.Exec.Facts.Fingerprint(),
		isolation: w.Exec.Isolate.String(), table: w.Table, key: b.ReadKey,
		tx: analyzer.TxRef{Session: p.Session.ID, TxID: p.Tx.ID}, waitedFor: w.WaitedFor,
	}
	if cw.readDone.IsZero() {
		cw.readDone = r.Sent
	}
	for _, c := range b.ReadColumns {
		if v, ok := b.Read.Value(c); ok {
			cw.readVals = append(cw.readVals, analyzer.KV{Column: c, Value: v})
		}
		if v, ok := writtenValue(w, c); ok {
			cw.written = append(cw.written, analyzer.KV{Column: c, Value: v})
		}
	}
	return cw
}

func overlap(a, b []string) []string {
	var out []string
	for _, x := range a {
		if containsStr(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sameVersion: both read the same value of a column, or (values unknown)
// the later writer read before the earlier one committed.
func sameVersion(prev, cur *committedWrite, cols []string) bool {
	for _, c := range cols {
		a, ok1 := prev.readVals.get(c)
		b, ok2 := cur.readVals.get(c)
		if ok1 && ok2 {
			return a == b
		}
	}
	return cur.readDone.Before(prev.commit)
}

// wroteWhatItRead: the earlier write changed nothing, so nothing was lost.
func wroteWhatItRead(prev *committedWrite, cols []string) bool {
	for _, c := range cols {
		r, ok1 := prev.readVals.get(c)
		w, ok2 := prev.written.get(c)
		if !ok1 || !ok2 || r != w {
			return false
		}
	}
	return true
}

func report006(p *analyzer.Pass, table string, key *analyzer.RowKey, prev, cur *committedWrite, cols []string) {
	c := cols[0]
	type mark struct {
		t       time.Time
		session analyzer.SessionInfo
		sql     string
		result  string
		note    string
	}
	readResult := func(cw *committedWrite) string {
		if v, ok := cw.readVals.get(c); ok && !analyzer.IsHiddenValue(v) {
			return "-> " + v
		}
		return ""
	}
	marks := []mark{
		{prev.readTime, prev.session, prev.readSQL, readResult(prev), ""},
		{cur.readTime, cur.session, cur.readSQL, readResult(cur), ""},
		{prev.writeTime, prev.session, prev.writeSQL, prev.writeTag, ""},
		{cur.writeTime, cur.session, cur.writeSQL, cur.writeTag, ""},
	}
	if v, ok := prev.written.get(c); ok && !analyzer.IsHiddenValue(v) {
		marks[3].note = "overwrites " + v
	} else {
		marks[3].note = "overwrites " + sessionLabel(prev.session) + "'s write"
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].t.Before(marks[j].t) })
	t0 := marks[0].t
	var timeline []analyzer.TimelineEntry
	for _, m := range marks {
		timeline = append(timeline, analyzer.TimelineEntry{Offset: m.t.Sub(t0), Session: m.session.ID,
			Label: sessionLabel(m.session), SQL: m.sql, Result: m.result, Note: m.note})
	}
	summary := ""
	if base, ok := cur.readVals.get(c); ok {
		w1, ok1 := prev.written.get(c)
		w2, ok2 := cur.written.get(c)
		if ok1 && ok2 && !analyzer.IsHiddenValue(base) && !analyzer.IsHiddenValue(w1) && !analyzer.IsHiddenValue(w2) {
			b, okb := new(big.Rat).SetString(base)
			x, okx := new(big.Rat).SetString(w1)
			y, oky := new(big.Rat).SetString(w2)
			if okb && okx && oky {
				expected := new(big.Rat).Add(x, y)
				expected.Sub(expected, b)
				lost := new(big.Rat).Sub(x, b)
				sign := "+"
				if lost.Sign() < 0 {
					sign = ""
				}
				summary = fmt.Sprintf("expected %s, stored %s: the %s%s was lost", ratString(expected), ratString(y), sign, ratString(lost))
			} else {
				summary = fmt.Sprintf("%s wrote %s, then %s wrote %s over it", sessionLabel(prev.session), w1, sessionLabel(cur.session), w2)
			}
		}
	}
	if summary == "" {
		summary = fmt.Sprintf("%s's committed write of %s was overwritten by %s", sessionLabel(prev.session), c, sessionLabel(cur.session))
	}
	p.Report(analyzer.Finding{
		Message: fmt.Sprintf("lost update on %s %s: %s and %s read the same %s, both wrote it back, and %s's write (committed first) was overwritten",
			table, keyText(key), sessionLabel(prev.session), sessionLabel(cur.session), strings.Join(cols, ", "), sessionLabel(prev.session)),
		Table:    table,
		Session:  cur.session,
		Key:      key,
		Columns:  cols,
		Sessions: []analyzer.SessionInfo{prev.session, cur.session},
		Statements: []analyzer.StatementRef{
			{Role: "read", SQL: prev.readSQL, Time: prev.readTime, Session: prev.session.ID, Result: valueIn(prev.readVals, c)},
			{Role: "read", SQL: cur.readSQL, Time: cur.readTime, Session: cur.session.ID, Result: valueIn(cur.readVals, c)},
			{Role: "write", SQL: prev.writeSQL, Time: prev.writeTime, Session: prev.session.ID, Tag: prev.writeTag},
			{Role: "write", SQL: cur.writeSQL, Time: cur.writeTime, Session: cur.session.ID, Tag: cur.writeTag},
		},
		Timeline:    timeline,
		Summary:     summary,
		Isolation:   cur.isolation,
		Fingerprint: analyzer.Fingerprint(p.Rule().ID, prev.readFP, prev.writeFP, cur.readFP, cur.writeFP, table, strings.Join(cols, ",")),
		Fix:         fixFor(cur.table, &cur.key, cur.cols, cur.readVals.get, cur.written.get),
	})
}

func valueIn(v values, c string) string {
	s, _ := v.get(c)
	return s
}
