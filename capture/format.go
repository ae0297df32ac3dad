package capture

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/pgrmw/pgrmw/analyzer"
)

// FormatName is the header's "format" value; Version the one this package writes.
const (
	FormatName = "pgrmw-capture"
	Version    = 1
)

// Value modes for Options.Values and Header.Values.
const (
	ValuesHash = "hash"
	ValuesRaw  = "raw"
	ValuesNone = "none"
)

// Header is the first line of every capture part.
type Header struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Values  string    `json:"values"`
	Hash    string    `json:"hash,omitempty"`   // "hmac-sha256-80" in hash mode
	KeyID   string    `json:"key_id,omitempty"` // same key ⇒ same key_id
	Capture string    `json:"capture"`          // random id shared by all parts
	Part    int       `json:"part"`             // 0 for FILE, n for FILE.n
	Created time.Time `json:"created"`
}

// line is an Event as written in a capture: the embedded Event supplies every
// field; the outer fields shadow the ones whose default JSON form is unhelpful
// (kind as a number, bytes as base64).
type line struct {
	Kind kindName `json:"kind"` // first, for people reading captures
	*analyzer.Event
	Target   char    `json:"target,omitempty"`
	TxStatus char    `json:"tx_status,omitempty"`
	Params   []value `json:"params,omitempty"`
	Values   []value `json:"values,omitempty"`
}

func toLine(ev *analyzer.Event) line {
	return line{
		Event:    ev,
		Kind:     kindName(ev.Kind.String()),
		Target:   char(ev.Target),
		TxStatus: char(ev.TxStatus),
		Params:   toValues(ev.Params),
		Values:   toValues(ev.Values),
	}
}

// decodeEvent parses one event line: the fast path first, encoding/json
// for anything it does not handle (and for the error message).
func decodeEvent(b []byte) (*analyzer.Event, error) {
	if ev, err := fastDecode(b); err == nil {
		return ev, nil
	}
	return jsonDecodeEvent(b)
}

// jsonDecodeEvent parses one event line with encoding/json.
func jsonDecodeEvent(b []byte) (*analyzer.Event, error) {
	ev := &analyzer.Event{}
	l := line{Event: ev}
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, err
	}
	if l.Kind == "" {
		return nil, errors.New(`no "kind" field`)
	}
	ev.Kind = analyzer.ParseEventKind(string(l.Kind))
	ev.Target = byte(l.Target)
	ev.TxStatus = byte(l.TxStatus)
	ev.Params = fromValues(l.Params)
	ev.Values = fromValues(l.Values)
	return ev, nil
}

type kindName string

// char is a protocol status byte written as a one-character string.
type char byte

func (c char) MarshalJSON() ([]byte, error) { return json.Marshal(string(rune(c))) }

func (c *char) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		// Accept the numeric form of analyzer.Event's own encoding too.
		var n uint8
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("status byte: %w", err)
		}
		*c = char(n)
		return nil
	}
	if len(s) != 1 {
		return fmt.Errorf("status byte %q: want one character", s)
	}
	*c = char(s[0])
	return nil
}

// value is one parameter or column value: null, a string, or {"b64":…}.
type value []byte

type binaryValue struct {
	B64 string `json:"b64"`
}

func (v value) MarshalJSON() ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	if utf8.Valid(v) {
		return json.Marshal(string(v))
	}
	return json.Marshal(binaryValue{B64: base64.StdEncoding.EncodeToString(v)})
}

func (v *value) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nil
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var bin binaryValue
		if err := json.Unmarshal(b, &bin); err != nil {
			return fmt.Errorf("binary value: %w", err)
		}
		raw, err := base64.StdEncoding.DecodeString(bin.B64)
		if err != nil {
			return fmt.Errorf("binary value: %w", err)
		}
		*v = raw
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	*v = append(make([]byte, 0, len(s)), s...)
	return nil
}

func toValues(vs [][]byte) []value {
	if vs == nil {
		return nil
	}
	out := make([]value, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func fromValues(vs []value) [][]byte {
	if vs == nil {
		return nil
	}
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
