package proxy

// Block mode: how a refused Query or Execute is kept from PostgreSQL while
// the session's protocol and transaction state stay exactly what PostgreSQL
// itself would produce for a failing statement.
//
// The proxy does not emulate the server. In place of the refused message it
// sends a statement that fails on purpose:
//
//	DO $pgrmw_…$BEGIN RAISE EXCEPTION USING ERRCODE = '…', MESSAGE = E'…', DETAIL = E'…', HINT = E'…'; END$pgrmw_…$
//
// so the server aborts the transaction (a later COMMIT answers ROLLBACK),
// skips the rest of an extended-protocol batch up to Sync and sends the
// ErrorResponse and the ReadyForQuery with the right status itself.
//
//   - Simple protocol: the whole Query message is replaced (a multi-statement
//     string is one implicit transaction in PostgreSQL, so it is refused whole).
//     When the string opens a transaction block (BEGIN; …; COMMIT), that
//     BEGIN is kept in front of the DO block, so the session ends up in a
//     failed transaction ('E') as PostgreSQL would leave it. Statements of
//     a string that commits a first transaction and then fails in a second
//     are refused with the rest: the proxy does not know which statement
//     the Gate objected to.
//   - Extended protocol: the Execute is replaced by Close(S pgrmw_refusal) +
//     Parse(pgrmw_refusal, DO …) + Bind(unnamed portal) + Execute. A named
//     statement of the proxy's own is used so that a client's unnamed
//     statement survives the refusal as it would survive a failed Execute.
//     The server's CloseComplete, ParseComplete and BindComplete for those
//     injected messages are hidden from the client.
//
// The ErrorResponse reaches the client (and the event stream, as an ordinary
// Error event) without its CONTEXT field ("PL/pgSQL function
// inline_code_block line 1 at RAISE") and its source location in PL/pgSQL
// (file, line, routine): they describe the mechanism, not the refusal. Injected messages
// produce no events, so a capture of a blocked session reads like a session
// whose statement failed on the server.
//
// To know which server replies answer injected messages, the frontend
// direction records, in wire order, every client message that earns a reply
// the proxy may need to hide or recognise (replyQueue); the backend direction
// consumes the queue as replies arrive, following PostgreSQL's error
// recovery: after an ErrorResponse in the extended protocol the server skips
// everything up to Sync, so do the pending expectations.

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// Frontend and backend message types only block mode looks at.
const (
	msgFunctionCall  = 'F'
	msgParseComplete = '1'
	msgBindComplete  = '2'
	msgCloseComplete = '3'
)

// refusalStatement is the prepared statement name the proxy uses for the DO
// block of an extended-protocol refusal. It is closed before each use.
const refusalStatement = "pgrmw_refusal"

// fallbackSQLState replaces a Refusal.SQLState that PostgreSQL would reject
// (five digits or upper-case letters): P0001 is what a bare RAISE EXCEPTION
// reports.
const fallbackSQLState = "P0001"

// replyKind names the server reply a recorded client message earns.
type replyKind uint8

const (
	// replyStartup is the ReadyForQuery that ends authentication.
	replyStartup replyKind = iota + 1
	replyParse             // ParseComplete
	replyBind              // BindComplete
	replyClose             // CloseComplete
	// replyRefusal is the injected Execute of a DO block: its ErrorResponse
	// is the refusal.
	replyRefusal
	replySync         // ReadyForQuery
	replyQuery        // … ReadyForQuery
	replyFunctionCall // FunctionCallResponse, ReadyForQuery
)

// endsCycle: the reply kind closes with ReadyForQuery, and the server's
// skip-until-Sync error recovery stops there.
func (k replyKind) endsCycle() bool {
	return k == replyStartup || k == replySync || k == replyQuery || k == replyFunctionCall
}

type expectedReply struct {
	kind     replyKind
	injected bool
}

// replyQueue is one session's record of replies still to come, in wire order.
// The frontend direction appends (before the message is written upstream, so
// a reply never arrives ahead of its record), the backend direction consumes.
type replyQueue struct {
	mu      sync.Mutex
	pending []expectedReply
	head    int

	// refusing is set by the frontend while it handles a refused message so
	// the deferred record of that message is replaced by the injected ones.
	// Only the frontend goroutine touches it.
	refusing bool
	// desynced is set when a reply did not match the record; logged once.
	desynced bool
}

func newReplyQueue() *replyQueue {
	return &replyQueue{pending: []expectedReply{{kind: replyStartup}}}
}

func (q *replyQueue) push(rs ...expectedReply) {
	q.mu.Lock()
	// Reclaim consumed records: at once when none is pending, and in a
	// session that pipelines without ever draining, once they are the
	// larger half, so the queue stays as long as what is in flight.
	if q.head > 0 && (q.head == len(q.pending) || q.head >= 256 && 2*q.head >= len(q.pending)) {
		n := copy(q.pending, q.pending[q.head:])
		q.pending, q.head = q.pending[:n], 0
	}
	q.pending = append(q.pending, rs...)
	q.mu.Unlock()
}

// clientReply maps a client message type to the reply it earns; 0 for
// messages whose replies need no tracking.
func clientReply(typ byte) replyKind {
	switch typ {
	case msgParse:
		return replyParse
	case msgBind:
		return replyBind
	case msgClose:
		return replyClose
	case msgSync:
		return replySync
	case msgQuery:
		return replyQuery
	case msgFunctionCall:
		return replyFunctionCall
	}
	return 0
}

// replyAction says what the backend relay does with one server message.
type replyAction uint8

const (
	replyForward      replyAction = iota
	replyHide                     // answers an injected message
	replyStripContext             // the refusal's ErrorResponse
)

// received consumes the record for one server message of type typ.
// mismatch reports a reply that does not fit the record (the queue then
// resynchronises at the next ReadyForQuery).
func (q *replyQueue) received(typ byte) (act replyAction, mismatch bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var head *expectedReply
	if q.head < len(q.pending) {
		head = &q.pending[q.head]
	}
	switch typ {
	case msgParseComplete, msgBindComplete, msgCloseComplete:
		want := replyParse
		switch typ {
		case msgBindComplete:
			want = replyBind
		case msgCloseComplete:
			want = replyClose
		}
		if head == nil || head.kind != want {
			return replyForward, true
		}
		q.head++
		if head.injected {
			return replyHide, false
		}
		return replyForward, false
	case msgErrorResponse:
		if head == nil {
			return replyForward, false
		}
		if head.kind.endsCycle() {
			// The error belongs to the Query/Sync/FunctionCall itself; its
			// ReadyForQuery consumes the record.
			if head.kind == replyQuery && head.injected {
				return replyStripContext, false
			}
			return replyForward, false
		}
		act := replyForward
		if head.kind == replyRefusal {
			act = replyStripContext
		}
		// Extended protocol: the server now discards messages until Sync.
		for q.head < len(q.pending) && !q.pending[q.head].kind.endsCycle() {
			q.head++
		}
		return act, false
	case msgReadyForQuery:
		for q.head < len(q.pending) {
			k := q.pending[q.head].kind
			q.head++
			if k.endsCycle() {
				return replyForward, false
			}
			mismatch = true
		}
		return replyForward, mismatch
	}
	return replyForward, false
}

// withReplyTracking extends a direction's interest with the messages block
// mode must see whole.
func withReplyTracking(in *interest, fromClient bool) *interest {
	out := *in
	if fromClient {
		for _, t := range []byte{msgQuery, msgParse, msgBind, msgClose, msgExecute, msgSync, msgFunctionCall} {
			out[t] = true
		}
	} else {
		for _, t := range []byte{msgParseComplete, msgBindComplete, msgCloseComplete, msgErrorResponse, msgReadyForQuery} {
			out[t] = true
		}
	}
	return &out
}

// recordClientMessage runs (deferred) after a client message was handled:
// it records the reply the message earns unless the message was refused, in
// which case refuse recorded the injected messages' replies.
func (d *direction) recordClientMessage(typ byte) {
	q := d.s.replies
	if q.refusing {
		q.refusing = false
		return
	}
	if k := clientReply(typ); k != 0 {
		q.push(expectedReply{kind: k})
	}
}

// refuse replaces the Query or Execute at buf[pos:pos+total] with a DO block
// raising ref.
func (d *direction) refuse(ev *analyzer.Event, ref *Refusal, pos, total int) {
	typ := d.buf[pos]
	do := refusalDO(ref)
	var msg []byte
	var err error
	var replies []expectedReply
	if typ == msgQuery {
		if begin := transactionStart(ev.SQL); begin != "" {
			do = begin + ";\n" + do
		}
		msg, err = (&pgproto3.Query{String: do}).Encode(nil)
		replies = []expectedReply{{kind: replyQuery, injected: true}}
	} else {
		msg, err = refusalExecute(do)
		replies = []expectedReply{
			{kind: replyClose, injected: true}, {kind: replyParse, injected: true},
			{kind: replyBind, injected: true}, {kind: replyRefusal, injected: true},
		}
	}
	if err != nil {
		// Only a refusal text over 1 GiB could fail to encode.
		d.s.p.stats.refusalsIgnored.Add(1)
		d.s.log.Error().Err(err).Msg("refusal could not be encoded; forwarding")
		return
	}
	d.s.replies.push(replies...)
	d.s.replies.refusing = true
	d.replace(pos, total, msg)
	// The Gate logs the verdict; the refusal text quotes SQL, debug only.
	d.s.log.Debug().Str("sqlstate", ref.SQLState).Str("kind", ev.Kind.String()).Str("refusal", ref.Message).Msg("statement refused")
}

// transactionStart returns the leading BEGIN / START TRANSACTION statement
// of a multi-statement Query, "" when it does not open with one.
func transactionStart(sql string) string {
	w := sqltext.FirstWord(sql)
	if !strings.EqualFold(w, "begin") && !strings.EqualFold(w, "start") {
		return ""
	}
	parts := sqltext.Split(sql)
	if len(parts) < 2 {
		return ""
	}
	return parts[0]
}

// refusalExecute encodes Close + Parse + Bind + Execute running do.
func refusalExecute(do string) ([]byte, error) {
	var b []byte
	var err error
	for _, m := range []pgproto3.FrontendMessage{
		&pgproto3.Close{ObjectType: 'S', Name: refusalStatement},
		&pgproto3.Parse{Name: refusalStatement, Query: do},
		&pgproto3.Bind{PreparedStatement: refusalStatement},
		&pgproto3.Execute{},
	} {
		if b, err = m.Encode(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// filterReply applies block mode to one whole server message at
// buf[pos:pos+total]. done means the message needs no further handling (no
// event): ParseComplete/BindComplete/CloseComplete never become events, and
// without an Observer nothing does.
func (d *direction) filterReply(typ byte, pos, total int) (done bool) {
	switch typ {
	case msgParseComplete, msgBindComplete, msgCloseComplete, msgErrorResponse, msgReadyForQuery:
	default:
		return !d.observe
	}
	act, mismatch := d.s.replies.received(typ)
	if mismatch && !d.s.replies.desynced {
		d.s.replies.desynced = true
		d.s.log.Warn().Str("message", string(typ)).Msg("block mode: server reply did not match the expected sequence; resynchronising at ReadyForQuery")
	}
	switch act {
	case replyHide:
		d.replace(pos, total, nil)
	case replyStripContext:
		if stripped, ok := withoutErrorFields(d.buf[pos:pos+total], refusalHiddenFields); ok {
			d.replace(pos, total, stripped)
		}
	}
	return typ == msgParseComplete || typ == msgBindComplete || typ == msgCloseComplete || !d.observe
}

// refusalHiddenFields are the ErrorResponse fields removed from a refusal:
// CONTEXT (W), and the PL/pgSQL source file (F), line (L) and routine (R).
const refusalHiddenFields = "WFLR"

// withoutErrorFields returns a copy of the ErrorResponse/NoticeResponse frame
// without the fields whose type is in fields; ok is false when the frame has
// none or is malformed (then it is forwarded as is).
func withoutErrorFields(frame []byte, fields string) (out []byte, ok bool) {
	if len(frame) < 6 {
		return nil, false
	}
	body := frame[5:]
	out = make([]byte, 5, len(frame))
	out[0] = frame[0]
	found := false
	for i := 0; i < len(body); {
		code := body[i]
		if code == 0 {
			if i != len(body)-1 {
				return nil, false
			}
			break
		}
		end := strings.IndexByte(string(body[i+1:]), 0)
		if end < 0 {
			return nil, false
		}
		next := i + 1 + end + 1
		if strings.IndexByte(fields, code) >= 0 {
			found = true
		} else {
			out = append(out, body[i:next]...)
		}
		i = next
	}
	if !found {
		return nil, false
	}
	out = append(out, 0)
	n := len(out) - 1
	out[1], out[2], out[3], out[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return out, true
}

// refusalDO is the DO statement that raises ref. Its texts come from the
// analysis and quote the user's SQL, so they are escaped as E'…' literals
// (valid whatever standard_conforming_strings is) inside a body quoted with
// a random dollar tag that does not occur in it.
func refusalDO(ref *Refusal) string {
	var body strings.Builder
	body.WriteString("BEGIN RAISE EXCEPTION USING ERRCODE = '")
	body.WriteString(validSQLState(ref.SQLState))
	body.WriteString("', MESSAGE = ")
	msg := ref.Message
	if msg == "" {
		msg = "statement refused by pgrmw"
	}
	body.WriteString(escapedLiteral(msg))
	if ref.Detail != "" {
		body.WriteString(", DETAIL = ")
		body.WriteString(escapedLiteral(ref.Detail))
	}
	if ref.Hint != "" {
		body.WriteString(", HINT = ")
		body.WriteString(escapedLiteral(ref.Hint))
	}
	body.WriteString("; END")
	b := body.String()
	tag := dollarTag(b)
	return "DO " + tag + b + tag
}

// validSQLState returns s when PostgreSQL accepts it as an ERRCODE.
func validSQLState(s string) string {
	if len(s) != 5 {
		return fallbackSQLState
	}
	for i := 0; i < 5; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return fallbackSQLState
		}
	}
	if s[:2] == "00" {
		// Class 00 is success: RAISE would not raise an error.
		return fallbackSQLState
	}
	return s
}

// escapedLiteral quotes s as an E'…' string literal. NUL bytes (which no
// PostgreSQL text can hold) and invalid UTF-8 (which the server would reject
// before raising) are replaced.
func escapedLiteral(s string) string {
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	var b strings.Builder
	b.Grow(len(s) + 4)
	b.WriteString("E'")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case 0:
			b.WriteString(string(utf8.RuneError))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// dollarTag returns a random $pgrmw_…$ tag that does not occur in body.
func dollarTag(body string) string {
	var r [6]byte
	for {
		rand.Read(r[:])
		tag := "$pgrmw_" + hex.EncodeToString(r[:]) + "$"
		if !strings.Contains(body, tag) {
			return tag
		}
	}
}
