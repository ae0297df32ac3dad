package proxy

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Message type bytes that become events.
const (
	// Frontend.
	msgQuery     = 'Q'
	msgParse     = 'P'
	msgBind      = 'B'
	msgDescribe  = 'D'
	msgExecute   = 'E'
	msgSync      = 'S'
	msgClose     = 'C'
	msgTerminate = 'X'

	// Backend.
	msgParameterDescription = 't'
	msgRowDescription       = 'T'
	msgDataRow              = 'D'
	msgCommandComplete      = 'C'
	msgEmptyQuery           = 'I'
	msgErrorResponse        = 'E'
	msgReadyForQuery        = 'Z'
	msgParameterStatus      = 'S'
	msgCopyIn               = 'G'
	msgCopyOut              = 'H'
	msgCopyBoth             = 'W'
	msgPortalSuspended      = 's'
	msgBackendKeyData       = 'K'
)

// interest says, per message type byte, whether a direction decodes it.
type interest [256]bool

func frontendInterest(observe, gate bool) *interest {
	var in interest
	if observe {
		for _, t := range []byte{msgQuery, msgParse, msgBind, msgDescribe, msgExecute, msgSync, msgClose} {
			in[t] = true
		}
	}
	if gate {
		in[msgQuery], in[msgExecute] = true, true
	}
	return &in
}

func backendInterest(observe bool) *interest {
	var in interest
	// Always: the key data lets the proxy cancel a running query for a
	// client that vanished (see session.relay).
	in[msgBackendKeyData] = true
	if observe {
		for _, t := range []byte{msgParameterDescription, msgRowDescription, msgDataRow, msgCommandComplete,
			msgEmptyQuery, msgErrorResponse, msgReadyForQuery, msgParameterStatus, msgCopyIn, msgCopyOut,
			msgCopyBoth, msgPortalSuspended} {
			in[t] = true
		}
	}
	return &in
}

// frontendEvent decodes a client message body into a fresh event. Everything
// kept is copied: body is the relay's buffer.
func frontendEvent(typ byte, body []byte) (*analyzer.Event, error) {
	switch typ {
	case msgQuery:
		var m pgproto3.Query
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventQuery, SQL: m.String}, nil
	case msgParse:
		var m pgproto3.Parse
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		// Decode allocates ParameterOIDs; the event may own it.
		return &analyzer.Event{Kind: analyzer.EventParse, Statement: m.Name, SQL: m.Query, ParamOIDs: m.ParameterOIDs}, nil
	case msgBind:
		var m pgproto3.Bind
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventBind, Portal: m.DestinationPortal, Statement: m.PreparedStatement,
			ParamFormats: m.ParameterFormatCodes, Params: analyzer.CapValues(m.Parameters),
			ResultFormats: m.ResultFormatCodes}, nil
	case msgDescribe:
		var m pgproto3.Describe
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		ev := &analyzer.Event{Kind: analyzer.EventDescribe, Target: m.ObjectType}
		setTargetName(ev, m.ObjectType, m.Name)
		return ev, nil
	case msgExecute:
		var m pgproto3.Execute
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventExecute, Portal: m.Portal, MaxRows: m.MaxRows}, nil
	case msgSync:
		return &analyzer.Event{Kind: analyzer.EventSync}, nil
	case msgClose:
		var m pgproto3.Close
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		ev := &analyzer.Event{Kind: analyzer.EventClose, Target: m.ObjectType}
		setTargetName(ev, m.ObjectType, m.Name)
		return ev, nil
	}
	return nil, fmt.Errorf("no event for frontend message %q", typ)
}

func setTargetName(ev *analyzer.Event, target byte, name string) {
	if target == 'P' {
		ev.Portal = name
	} else {
		ev.Statement = name
	}
}

// backendDecoder holds one server direction's decoding state: message
// structs reused across messages, and the last RowDescription and command
// tag, which repeat on every execution of a prepared statement and are
// shared by the events instead of allocated again (events treat them as
// read-only).
type backendDecoder struct {
	rowDesc  pgproto3.RowDescription
	dataRow  pgproto3.DataRow
	descBody []byte
	descCols []analyzer.Column
	tag      string
}

// columns returns the event columns of a RowDescription body.
func (b *backendDecoder) columns(body []byte) ([]analyzer.Column, error) {
	if b.descCols != nil && bytes.Equal(body, b.descBody) {
		return b.descCols, nil
	}
	if err := b.rowDesc.Decode(body); err != nil {
		return nil, err
	}
	cols := make([]analyzer.Column, len(b.rowDesc.Fields))
	for i, f := range b.rowDesc.Fields {
		cols[i] = analyzer.Column{Name: string(f.Name), TableOID: f.TableOID, AttrNum: f.TableAttributeNumber,
			TypeOID: f.DataTypeOID, Format: f.Format}
	}
	b.descBody = append(b.descBody[:0], body...)
	b.descCols = cols
	return cols, nil
}

// commandTag returns the tag as a string, the previous one when equal.
func (b *backendDecoder) commandTag(tag []byte) string {
	if string(tag) != b.tag { // no allocation: the compiler compares in place
		b.tag = string(tag)
	}
	return b.tag
}

// backendEvent decodes a server message body into a fresh event; nil for
// kinds that only update relay state (PortalSuspended).
func (b *backendDecoder) backendEvent(typ byte, body []byte) (*analyzer.Event, error) {
	switch typ {
	case msgParameterDescription:
		var m pgproto3.ParameterDescription
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventParameterDescription, ParamOIDs: m.ParameterOIDs}, nil
	case msgRowDescription:
		cols, err := b.columns(body)
		if err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventRowDescription, Columns: cols}, nil
	case msgDataRow:
		if err := b.dataRow.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventDataRow, Values: analyzer.CapValues(b.dataRow.Values)}, nil
	case msgCommandComplete:
		var m pgproto3.CommandComplete
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventCommandComplete, Tag: b.commandTag(m.CommandTag)}, nil
	case msgEmptyQuery:
		return &analyzer.Event{Kind: analyzer.EventEmptyQuery}, nil
	case msgErrorResponse:
		var m pgproto3.ErrorResponse
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		sev := m.SeverityUnlocalized
		if sev == "" {
			sev = m.Severity
		}
		return &analyzer.Event{Kind: analyzer.EventError, Severity: sev, SQLState: m.Code, Message: m.Message, Detail: m.Detail}, nil
	case msgReadyForQuery:
		if len(body) != 1 {
			return nil, fmt.Errorf("ReadyForQuery: body of %d bytes", len(body))
		}
		return &analyzer.Event{Kind: analyzer.EventReadyForQuery, TxStatus: body[0]}, nil
	case msgParameterStatus:
		var m pgproto3.ParameterStatus
		if err := m.Decode(body); err != nil {
			return nil, err
		}
		return &analyzer.Event{Kind: analyzer.EventParameterStatus, Name: m.Name, Value: m.Value}, nil
	case msgCopyIn, msgCopyOut, msgCopyBoth:
		return &analyzer.Event{Kind: analyzer.EventCopy}, nil
	case msgPortalSuspended:
		return nil, nil
	}
	return nil, fmt.Errorf("no event for backend message %q", typ)
}

// partialDataRowValues decodes the leading values of a DataRow whose body is
// only partly buffered (a row too large to hold whole). Values that start
// inside prefix are kept (capped); columns beyond it are omitted, so the
// event may carry fewer values than the row has.
func partialDataRowValues(prefix []byte) [][]byte {
	if len(prefix) < 2 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(prefix))
	rp := 2
	vals := make([][]byte, 0, n)
	for i := 0; i < n && len(prefix)-rp >= 4; i++ {
		l := int(int32(binary.BigEndian.Uint32(prefix[rp:])))
		rp += 4
		if l < 0 {
			vals = append(vals, nil)
			continue
		}
		end := min(rp+l, len(prefix))
		vals = append(vals, analyzer.CapValue(prefix[rp:end]))
		if end < rp+l {
			break
		}
		rp = end
	}
	return vals
}
