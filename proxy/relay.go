package proxy

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

const (
	// relayBufferSize is what one direction reads at a time; 32 KiB moves a
	// large result in few syscalls while keeping an idle session small.
	relayBufferSize = 32 << 10
	// maxWholeServerRow: a DataRow larger than this is not buffered whole; its
	// event is built from the leading part (see partialDataRowValues).
	maxWholeServerRow = 1 << 20
)

var bufferPool = sync.Pool{New: func() any { b := make([]byte, relayBufferSize); return &b }}

// Why a direction stopped.
type (
	// readError: the source socket failed or reached EOF.
	readError struct{ err error }
	// writeError: the destination socket failed.
	writeError struct{ err error }
	// protocolError: the client sent bytes that are not protocol 3 framing.
	protocolError struct{ msg string }
)

func (e readError) Error() string     { return "read: " + e.err.Error() }
func (e readError) Unwrap() error     { return e.err }
func (e writeError) Error() string    { return "write: " + e.err.Error() }
func (e writeError) Unwrap() error    { return e.err }
func (e protocolError) Error() string { return e.msg }

// direction relays one way of a session: it reads what src has, walks the
// message frames in place, turns the interesting ones into events and writes
// the chunk to dst in one call.
type direction struct {
	s          *session
	src, dst   net.Conn
	fromClient bool
	in         *interest
	observe    bool
	gate       Gate
	maxMsg     int
	bytes      *atomic.Int64

	pooled *[]byte
	buf    []byte // len(buf) is the capacity in use; data is buf[:n]
	n      int
	// skip counts bytes of the current message still to pass through
	// uninspected (a message not worth decoding, or too large to hold).
	skip int
	// pending is the size of the incomplete message at the buffer's front
	// that must be held whole (0 when none).
	pending int

	// now stamps the events of one chunk: they arrived together.
	now time.Time

	// Splicing: when a message is replaced (block mode), out holds the
	// segments to write and segStart where the untouched bytes resume.
	out      net.Buffers
	segStart int

	// Backend state.
	rowsInResult int
	decoder      backendDecoder
	lastFatal    bool
}

func newDirection(s *session, src, dst net.Conn, fromClient bool) *direction {
	p := s.p
	d := &direction{
		s: s, src: src, dst: dst, fromClient: fromClient,
		observe: p.cfg.Observer != nil, maxMsg: p.cfg.MaxMessageBytes,
	}
	d.takeBuffer()
	if fromClient {
		d.gate = p.cfg.Gate
		d.in = frontendInterest(d.observe, d.gate != nil)
		d.bytes = &p.stats.bytesFromClients
	} else {
		d.in = backendInterest(d.observe)
		d.bytes = &p.stats.bytesFromServers
	}
	if p.cfg.Gate != nil { // block mode: see refuse.go
		d.in = withReplyTracking(d.in, fromClient)
		if s.replies == nil {
			s.replies = newReplyQueue()
		}
	}
	return d
}

// release returns the buffer to the pool; the direction is unusable after.
func (d *direction) release() {
	if d.pooled != nil {
		d.putBuffer()
	}
}

// atBoundary reports whether everything forwarded so far ends on a message
// boundary, so the proxy may append a message of its own.
func (d *direction) atBoundary() bool { return d.skip == 0 }

// run relays until a socket fails or the client breaks framing.
func (d *direction) run() error {
	if raw := rawConnOf(d.src); raw != nil {
		return d.runRaw(raw)
	}
	for {
		m, rerr := d.src.Read(d.buf[d.n:])
		if err := d.consume(m, rerr); err != nil {
			return err
		}
	}
}

// consume relays the m bytes just read into buf[n:] and turns a read error
// into the direction's end.
func (d *direction) consume(m int, rerr error) error {
	if m > 0 {
		d.bytes.Add(int64(m))
		d.n += m
		done, perr := d.walk()
		if done > 0 {
			if err := d.flush(done); err != nil {
				return writeError{err}
			}
			copy(d.buf, d.buf[done:d.n])
			d.n -= done
		}
		if perr != nil {
			return perr
		}
		d.fit()
	}
	if rerr != nil {
		return readError{rerr}
	}
	return nil
}

// walk frames the buffered bytes and returns how many can be forwarded now:
// complete messages and the pass-through part of an uninspected one. An
// incomplete message that must be decoded stays buffered until whole.
func (d *direction) walk() (int, error) {
	d.now = time.Time{}
	d.segStart = 0
	d.pending = 0
	pos := 0
	for pos < d.n {
		if d.skip > 0 {
			k := min(d.skip, d.n-pos)
			pos += k
			d.skip -= k
			continue
		}
		avail := d.n - pos
		if avail < 5 {
			break
		}
		typ := d.buf[pos]
		length := int(int32(binary.BigEndian.Uint32(d.buf[pos+1:])))
		if length < 4 {
			return pos, protocolError{fmt.Sprintf("invalid message length %d for message type %q", length, typ)}
		}
		total := 1 + length
		if !d.in[typ] || (!d.fromClient && typ == msgDataRow && d.rowsInResult >= analyzer.MaxRowsPerResult) {
			if d.fromClient && typ == msgTerminate {
				d.s.clientTerminated.Store(true)
			}
			if total <= avail {
				pos += total
			} else {
				d.skip = total - avail
				pos = d.n
			}
			continue
		}
		if total > avail {
			if pos > 0 || total <= len(d.buf) {
				// The rest is on its way; what precedes the message goes
				// out now and the message moves to the buffer's front.
				break
			}
			if !d.fromClient && typ == msgDataRow && total > maxWholeServerRow {
				if d.n < len(d.buf) {
					break // fill the buffer before decoding the row's head
				}
				d.partialDataRow(d.buf[5:d.n])
				d.skip = total - avail
				pos = d.n
				continue
			}
			if d.fromClient && length > d.maxMsg {
				// Only messages held whole are bounded here; PostgreSQL
				// applies its own limits to what streams through.
				return pos, protocolError{fmt.Sprintf("message type %q of %d bytes exceeds the proxy's limit of %d", typ, length, d.maxMsg)}
			}
			d.grow(total)
			d.pending = total
			break
		}
		d.handle(typ, pos, total)
		pos += total
	}
	return pos, nil
}

// grow makes room for one message of total bytes.
func (d *direction) grow(total int) {
	nb := make([]byte, total)
	copy(nb, d.buf[:d.n])
	d.buf = nb
}

// fit returns to the pooled buffer once a large message has gone through, so
// one huge query does not pin its memory for the session's lifetime.
func (d *direction) fit() {
	if len(d.buf) > relayBufferSize && d.n <= relayBufferSize && d.pending <= relayBufferSize {
		pb := *d.pooled
		copy(pb, d.buf[:d.n])
		d.buf = pb
	}
}

// flush writes buf[:done] (with any spliced replacements) in one call.
func (d *direction) flush(done int) error {
	if len(d.out) == 0 {
		_, err := d.dst.Write(d.buf[:done])
		return err
	}
	bufs := append(d.out, d.buf[d.segStart:done])
	d.out = d.out[:0]
	_, err := bufs.WriteTo(d.dst)
	return err
}

// replace makes the message at buf[pos:pos+total] go out as with instead
// (block mode's refusal hook). with must stay valid until the flush.
func (d *direction) replace(pos, total int, with []byte) {
	d.out = append(d.out, d.buf[d.segStart:pos], with)
	d.segStart = pos + total
}

func (d *direction) stamp(ev *analyzer.Event) {
	if d.now.IsZero() {
		d.now = time.Now()
	}
	ev.Session = d.s.id
	ev.Time = d.now
}

// handle turns one whole message into an event. Decode failures are logged
// and the bytes forwarded anyway: PostgreSQL is the judge of its protocol.
func (d *direction) handle(typ byte, pos, total int) {
	body := d.buf[pos+5 : pos+total]
	if d.fromClient {
		if d.gate != nil {
			defer d.recordClientMessage(typ)
		}
		ev, err := frontendEvent(typ, body)
		if err != nil {
			d.s.log.Debug().Err(err).Msg("undecodable client message forwarded as is")
			return
		}
		d.stamp(ev)
		if d.observe {
			d.s.p.emit(ev)
		}
		if d.gate != nil && (typ == msgQuery || typ == msgExecute) {
			d.consultGate(ev, pos, total)
		}
		return
	}
	switch typ {
	case msgBackendKeyData:
		d.s.setCancelKey(body)
		return
	case msgDataRow:
		d.rowsInResult++
	case msgRowDescription, msgCommandComplete, msgEmptyQuery, msgErrorResponse, msgPortalSuspended, msgReadyForQuery:
		d.rowsInResult = 0
	}
	if d.s.replies != nil && d.filterReply(typ, pos, total) {
		return
	}
	ev, err := d.decoder.backendEvent(typ, body)
	if err != nil {
		d.s.log.Debug().Err(err).Msg("undecodable server message forwarded as is")
		return
	}
	if ev == nil {
		return
	}
	if typ == msgErrorResponse {
		d.lastFatal = ev.Severity == "FATAL" || ev.Severity == "PANIC"
	}
	d.stamp(ev)
	d.s.p.emit(ev)
}

// partialDataRow emits the event of a row too large to buffer.
func (d *direction) partialDataRow(prefix []byte) {
	d.rowsInResult++
	ev := &analyzer.Event{Kind: analyzer.EventDataRow, Values: partialDataRowValues(prefix)}
	d.stamp(ev)
	d.s.p.emit(ev)
}

// consultGate asks the block-mode Gate about a Query or Execute; a refused
// message is replaced by a DO block raising the refusal (see refuse.go).
func (d *direction) consultGate(ev *analyzer.Event, pos, total int) {
	ref := d.checkGate(ev)
	if ref == nil {
		return
	}
	d.refuse(ev, ref, pos, total)
}

// checkGate calls the Gate, failing open on a panic.
func (d *direction) checkGate(ev *analyzer.Event) (ref *Refusal) {
	defer func() {
		if r := recover(); r != nil {
			d.s.log.Error().Interface("panic", r).Msg("gate panicked; forwarding")
			ref = nil
		}
	}()
	return d.gate.Check(ev)
}
