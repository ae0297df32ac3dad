package analyzer

import (
	"strings"
	"sync"

	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// maxPending bounds a session's queue of requests awaiting responses. Streams
// without backend messages (server logs) never drain it; the oldest entries
// are then dropped.
const maxPending = 256

// maxPrepared bounds prepared statements and portals tracked per session.
const maxPrepared = 4096

type reqKind uint8

const (
	reqQuery reqKind = iota + 1
	reqDescribeS
	reqDescribeP
	reqExecute
	reqSync
)

// wireStmt is a prepared statement as the session knows it.
type wireStmt struct {
	sql         string
	paramOIDs   []uint32
	cols        []Column // from Describe('S'); formats not yet known
	returnsRows bool
	ext         any // the analyzer's facts for this statement
}

// wirePortal is a bound portal.
type wirePortal struct {
	stmt          *wireStmt
	params        [][]byte // text form
	resultFormats []int16
	cols          []Column // from Describe('P'), formats as sent
}

// request is a client message that awaits backend responses.
type request struct {
	kind         reqKind
	stmt         *wireStmt
	portal       *wirePortal
	gotParamDesc bool
	failed       bool
	ext          any // the analyzer's execution record(s)
	// implicit: for a sync point (Sync, Query), the implicit transaction
	// its ReadyForQuery ends.
	implicit *TxRecord
}

// wireSession follows one session's extended-protocol state far enough to
// know each parameter's type, each result column's type and format, and which
// request each backend message answers (pgx batches pipeline many requests
// before one Sync).
type wireSession struct {
	stmts   map[string]*wireStmt
	portals map[string]*wirePortal
	pending []*request
	cur     []Column // columns of the result being received
}

func newWireSession() *wireSession {
	return &wireSession{stmts: make(map[string]*wireStmt), portals: make(map[string]*wirePortal)}
}

func (w *wireSession) push(r *request) {
	if len(w.pending) >= maxPending {
		copy(w.pending, w.pending[1:])
		w.pending = w.pending[:len(w.pending)-1]
	}
	w.pending = append(w.pending, r)
}

func (w *wireSession) removeAt(i int) {
	copy(w.pending[i:], w.pending[i+1:])
	w.pending[len(w.pending)-1] = nil
	w.pending = w.pending[:len(w.pending)-1]
}

// looksRowReturning guesses from the text whether a statement returns rows;
// used only to know whether a Describe expects a RowDescription (NoData is
// not in the event stream).
func looksRowReturning(sql string) bool {
	switch strings.ToLower(sqltext.FirstWord(sql)) {
	case "select", "values", "table", "show", "explain", "fetch":
		return true
	case "with":
		return !sqltext.HasWord(sql, "update") && !sqltext.HasWord(sql, "delete") && !sqltext.HasWord(sql, "insert") || sqltext.HasWord(sql, "returning")
	}
	return sqltext.HasWord(sql, "returning")
}

// frontend records a client message. For Bind it returns the parameters in
// text form (a new slice; the event is not modified); nil otherwise.
func (w *wireSession) frontend(ev *Event) (textParams [][]byte, r *request) {
	switch ev.Kind {
	case EventQuery:
		r = &request{kind: reqQuery}
		w.push(r)
	case EventParse:
		if len(w.stmts) >= maxPrepared {
			clear(w.stmts)
		}
		w.stmts[ev.Statement] = &wireStmt{sql: ev.SQL, paramOIDs: ev.ParamOIDs, returnsRows: looksRowReturning(ev.SQL)}
	case EventBind:
		st := w.stmts[ev.Statement]
		textParams = w.textParams(st, ev)
		if len(w.portals) >= maxPrepared {
			clear(w.portals)
		}
		w.portals[ev.Portal] = &wirePortal{stmt: st, params: textParams, resultFormats: ev.ResultFormats}
	case EventDescribe:
		if ev.Target == 'S' {
			if st := w.stmts[ev.Statement]; st != nil {
				w.push(&request{kind: reqDescribeS, stmt: st})
			}
		} else if p := w.portals[ev.Portal]; p != nil && p.stmt != nil && p.stmt.returnsRows {
			w.push(&request{kind: reqDescribeP, portal: p})
		}
	case EventExecute:
		p := w.portals[ev.Portal]
		r = &request{kind: reqExecute, portal: p}
		if p != nil {
			r.stmt = p.stmt
		}
		w.push(r)
	case EventSync:
		r = &request{kind: reqSync}
		w.push(r)
	case EventClose:
		if ev.Target == 'S' {
			delete(w.stmts, ev.Statement)
		} else {
			delete(w.portals, ev.Portal)
		}
	}
	return textParams, r
}

// textParams returns Bind's parameters in text form.
func (w *wireSession) textParams(st *wireStmt, ev *Event) [][]byte {
	out := make([][]byte, len(ev.Params))
	for i, v := range ev.Params {
		if formatAt(ev.ParamFormats, i) == 1 && v != nil {
			var oid uint32
			if st != nil && i < len(st.paramOIDs) {
				oid = st.paramOIDs[i]
			}
			out[i] = binaryToText(oid, v)
			continue
		}
		out[i] = v
	}
	return out
}

// formatAt applies the protocol's rule: no codes = text, one code = all.
func formatAt(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return 0
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return 0
}

// head returns the first pending request that can still receive responses,
// dropping Describe requests whose answer (NoData) is invisible.
func (w *wireSession) head(forResult bool) *request {
	for len(w.pending) > 0 {
		r := w.pending[0]
		if forResult && (r.kind == reqDescribeS && (r.gotParamDesc || r.stmt == nil)) {
			w.removeAt(0)
			continue
		}
		return r
	}
	return nil
}

// backend interprets a server message. It returns the request it answers
// (nil when unknown) and, for DataRow, the values in text form.
func (w *wireSession) backend(ev *Event) (r *request, values [][]byte) {
	switch ev.Kind {
	case EventParameterDescription:
		for i, q := range w.pending {
			if q.kind == reqSync {
				break
			}
			if q.kind == reqDescribeS && !q.gotParamDesc {
				q.gotParamDesc = true
				if q.stmt != nil {
					q.stmt.paramOIDs = ev.ParamOIDs
				}
				// Describe S of a row-less statement ends here (NoData).
				if q.stmt == nil || !q.stmt.returnsRows {
					w.removeAt(i)
				}
				return q, nil
			}
		}
		return nil, nil
	case EventRowDescription:
		for len(w.pending) > 0 {
			q := w.pending[0]
			switch q.kind {
			case reqDescribeS:
				if q.stmt != nil {
					q.stmt.cols = ev.Columns
				}
				w.removeAt(0)
				return q, nil
			case reqDescribeP:
				if q.portal != nil {
					q.portal.cols = ev.Columns
				}
				w.removeAt(0)
				return q, nil
			case reqSync:
				w.removeAt(0)
				continue
			}
			w.cur = ev.Columns
			return q, nil
		}
		return nil, nil
	case EventDataRow:
		r = w.head(true)
		if r == nil {
			return nil, ev.Values
		}
		if w.cur == nil && r.kind == reqExecute && r.portal != nil {
			w.cur = r.portal.resultColumns()
		}
		return r, w.textValues(ev.Values)
	case EventCommandComplete, EventEmptyQuery:
		w.cur = nil
		for i, q := range w.pending {
			switch q.kind {
			case reqExecute:
				w.pending = w.pending[i+1:]
				return q, nil
			case reqQuery:
				w.pending = w.pending[i:]
				return q, nil
			case reqSync:
				return nil, nil
			}
		}
		return nil, nil
	case EventError:
		w.cur = nil
		// The failed request is the first one not yet answered; in the
		// extended protocol the server then skips everything up to Sync.
		for i, q := range w.pending {
			switch q.kind {
			case reqQuery:
				q.failed = true
				w.pending = w.pending[i:]
				return q, nil
			case reqSync:
				w.pending = w.pending[i:]
				return nil, nil
			case reqExecute, reqDescribeS, reqDescribeP:
				q.failed = true
				j := i
				for j < len(w.pending) && w.pending[j].kind != reqSync && w.pending[j].kind != reqQuery {
					j++
				}
				w.pending = w.pending[j:]
				return q, nil
			}
		}
		return nil, nil
	case EventReadyForQuery:
		w.cur = nil
		for i, q := range w.pending {
			if q.kind == reqSync || q.kind == reqQuery {
				w.pending = w.pending[i+1:]
				return q, nil
			}
		}
		w.pending = w.pending[:0]
		return nil, nil
	}
	return nil, nil
}

// resultColumns returns the columns of the portal's result with the formats
// the client asked for.
func (p *wirePortal) resultColumns() []Column {
	if p.cols != nil {
		return p.cols
	}
	if p.stmt == nil || p.stmt.cols == nil {
		return nil
	}
	cols := make([]Column, len(p.stmt.cols))
	copy(cols, p.stmt.cols)
	for i := range cols {
		cols[i].Format = formatAt(p.resultFormats, i)
	}
	p.cols = cols
	return cols
}

func (w *wireSession) textValues(vals [][]byte) [][]byte {
	binary := false
	for i := range vals {
		if i < len(w.cur) && w.cur[i].Format == 1 {
			binary = true
			break
		}
	}
	if !binary {
		return vals
	}
	out := make([][]byte, len(vals))
	for i, v := range vals {
		if i < len(w.cur) && w.cur[i].Format == 1 {
			out[i] = binaryToText(w.cur[i].TypeOID, v)
		} else {
			out[i] = v
		}
	}
	return out
}

// Normalizer rewrites binary-format values in events to their text form, so
// that a value compares equal whatever format a client chose (pgx sends
// int8, uuid and friends in binary). It tracks, per session, the parameter
// types of prepared statements (Parse, ParameterDescription) and the columns
// of the result being received (RowDescription, Describe, Bind result
// formats). Feed it every event of a session in wire order.
//
// Normalize modifies the event: Bind gets text Params and ParamFormats nil;
// DataRow gets text Values. Unknown binary values become `\x` + hex. Applying
// it twice is harmless. It is safe for concurrent use across sessions.
type Normalizer struct {
	mu       sync.Mutex
	sessions map[string]*wireSession
}

// NewNormalizer returns an empty Normalizer.
func NewNormalizer() *Normalizer {
	return &Normalizer{sessions: make(map[string]*wireSession)}
}

// Normalize rewrites ev in place (see Normalizer).
func (n *Normalizer) Normalize(ev *Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	w := n.sessions[ev.Session]
	if w == nil {
		if ev.Kind == EventSessionEnd {
			return
		}
		w = newWireSession()
		n.sessions[ev.Session] = w
	}
	switch {
	case ev.Kind == EventSessionEnd:
		delete(n.sessions, ev.Session)
	case ev.Kind.FromClient():
		params, _ := w.frontend(ev)
		if ev.Kind == EventBind {
			ev.Params = params
			ev.ParamFormats = nil
		}
	default:
		_, values := w.backend(ev)
		if ev.Kind == EventDataRow {
			ev.Values = values
		}
		if ev.Kind == EventRowDescription && len(ev.Columns) > 0 {
			// Values are text from here on; say so, so a second pass
			// does not decode them again.
			cols := make([]Column, len(ev.Columns))
			copy(cols, ev.Columns)
			for i := range cols {
				cols[i].Format = 0
			}
			ev.Columns = cols
		}
	}
}
