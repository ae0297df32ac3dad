package analyzer

import (
	"time"
)

// EventKind says which protocol message (or session boundary) an Event records.
//
// The event stream is the seam between the wire and the analysis: the proxy
// emits events as messages cross it, the capture reader and the server-log
// reader emit the same events from files, and Analyzer.Feed consumes them. The
// analyzer never sees a socket and the proxy never sees a finding rule.
type EventKind uint8

const (
	EventUnknown EventKind = iota

	// Session boundaries.
	EventSessionStart // Startup parameters (user, database, application_name, options).
	EventSessionEnd   // Either side closed; Message may say why.

	// Frontend (client → server) messages.
	EventQuery    // Simple protocol: SQL (may hold several statements).
	EventParse    // Extended: Statement (name, "" = unnamed), SQL, ParamOIDs.
	EventBind     // Extended: Portal, Statement, ParamFormats, Params, ResultFormats.
	EventDescribe // Extended: Target 'S' (statement) or 'P' (portal), Statement or Portal.
	EventExecute  // Extended: Portal, MaxRows.
	EventSync     // Extended: end of an implicit transaction / error recovery point.
	EventClose    // Extended: Target 'S' or 'P', Statement or Portal.

	// Backend (server → client) messages.
	EventParameterDescription // ParamOIDs of the statement last described.
	EventRowDescription       // Columns of the result that follows.
	EventDataRow              // One result row: Values (capped, see Event.Values).
	EventCommandComplete      // Tag, e.g. "UPDATE 1", "SELECT 3", "COMMIT", "ROLLBACK".
	EventEmptyQuery           // EmptyQueryResponse.
	EventError                // ErrorResponse: Severity, SQLState, Message, Detail.
	EventReadyForQuery        // TxStatus: 'I' idle, 'T' in transaction, 'E' failed transaction.
	EventParameterStatus      // Name/Value reported by the server (e.g. default_transaction_isolation).
	EventCopy                 // CopyInResponse/CopyOutResponse started; rows are not recorded.

	eventKindCount
)

var eventKindNames = [...]string{
	EventUnknown:              "unknown",
	EventSessionStart:         "session_start",
	EventSessionEnd:           "session_end",
	EventQuery:                "query",
	EventParse:                "parse",
	EventBind:                 "bind",
	EventDescribe:             "describe",
	EventExecute:              "execute",
	EventSync:                 "sync",
	EventClose:                "close",
	EventParameterDescription: "parameter_description",
	EventRowDescription:       "row_description",
	EventDataRow:              "data_row",
	EventCommandComplete:      "command_complete",
	EventEmptyQuery:           "empty_query",
	EventError:                "error",
	EventReadyForQuery:        "ready_for_query",
	EventParameterStatus:      "parameter_status",
	EventCopy:                 "copy",
}

// String returns the stable name used in captures.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "unknown"
}

// ParseEventKind is the inverse of String; unknown names give EventUnknown.
func ParseEventKind(s string) EventKind {
	for i, n := range eventKindNames {
		if n == s {
			return EventKind(i)
		}
	}
	return EventUnknown
}

// FromClient reports whether the kind is a frontend message.
func (k EventKind) FromClient() bool {
	return k >= EventQuery && k <= EventClose
}

// Limits on what an event carries, so one huge result cannot blow up memory.
const (
	// MaxValueBytes caps each parameter or column value kept in an event.
	MaxValueBytes = 256
	// MaxRowsPerResult caps the DataRow events the proxy emits per result set;
	// later rows still cross the wire but are not recorded.
	MaxRowsPerResult = 64
)

// Column describes one result column (from RowDescription).
type Column struct {
	Name     string `json:"name"`
	TableOID uint32 `json:"table_oid,omitempty"`
	AttrNum  uint16 `json:"attnum,omitempty"`
	TypeOID  uint32 `json:"type_oid,omitempty"`
	Format   int16  `json:"format,omitempty"` // 0 text, 1 binary
}

// Event is one thing one side said, stamped with its session and time.
//
// It is deliberately a flat value: the same struct crosses the proxy's channel,
// is written to a capture as one JSON line and is read back by lint. Only the
// fields of its Kind are set. Byte slices are owned by the event (the proxy
// copies out of its read buffers); consumers must not modify them.
type Event struct {
	Kind    EventKind `json:"kind"`
	Session string    `json:"session"`
	Time    time.Time `json:"time"`

	// SessionStart: startup parameters. Never contains a password.
	Startup map[string]string `json:"startup,omitempty"`

	// Query, Parse: the SQL text.
	SQL string `json:"sql,omitempty"`
	// Parse, Bind, Describe('S'), Close('S'): prepared statement name.
	Statement string `json:"statement,omitempty"`
	// Bind, Execute, Describe('P'), Close('P'): portal name.
	Portal string `json:"portal,omitempty"`
	// Describe, Close: 'S' or 'P'.
	Target byte `json:"target,omitempty"`
	// Parse, ParameterDescription: parameter type OIDs (0 = unspecified).
	ParamOIDs []uint32 `json:"param_oids,omitempty"`
	// Bind: parameter format codes as sent (0 or 1 entries apply to all).
	ParamFormats []int16 `json:"param_formats,omitempty"`
	// Bind: parameter values (nil = SQL NULL), each capped at MaxValueBytes.
	Params [][]byte `json:"params,omitempty"`
	// Bind: result format codes as sent.
	ResultFormats []int16 `json:"result_formats,omitempty"`
	// Execute: row limit (0 = all).
	MaxRows uint32 `json:"max_rows,omitempty"`

	// RowDescription.
	Columns []Column `json:"columns,omitempty"`
	// DataRow: column values (nil = NULL), each capped at MaxValueBytes.
	Values [][]byte `json:"values,omitempty"`
	// CommandComplete: the tag.
	Tag string `json:"tag,omitempty"`
	// Error: fields of the ErrorResponse. Message also carries the reason of
	// SessionEnd.
	Severity string `json:"severity,omitempty"`
	SQLState string `json:"sqlstate,omitempty"`
	Message  string `json:"message,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// ReadyForQuery: 'I', 'T' or 'E'.
	TxStatus byte `json:"tx_status,omitempty"`
	// ParameterStatus.
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// CapValue copies v, truncated to MaxValueBytes, keeping nil (SQL NULL) nil.
func CapValue(v []byte) []byte {
	if v == nil {
		return nil
	}
	if len(v) > MaxValueBytes {
		v = v[:MaxValueBytes]
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out
}

// CapValues copies each value as CapValue does, into one allocation for
// all of them (a DataRow of twenty columns is two allocations, not 21).
func CapValues(vs [][]byte) [][]byte {
	if vs == nil {
		return nil
	}
	total := 0
	for _, v := range vs {
		total += min(len(v), MaxValueBytes)
	}
	out := make([][]byte, len(vs))
	arena := make([]byte, total)
	pos := 0
	for i, v := range vs {
		if v == nil {
			continue
		}
		n := copy(arena[pos:], v[:min(len(v), MaxValueBytes)])
		// Full slice expression: appending to one value must not
		// overwrite the next.
		out[i] = arena[pos : pos+n : pos+n]
		pos += n
	}
	return out
}

// Observer receives events. The proxy calls Observe from its relay
// goroutines; implementations must be safe for concurrent use across sessions
// and must not retain the event's slices beyond the call unless they own them
// (events built by the proxy own their slices).
type Observer interface {
	Observe(ev *Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ev *Event)

// Observe calls f(ev).
func (f ObserverFunc) Observe(ev *Event) { f(ev) }
