package capture

import (
	"encoding/base64"
	"errors"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pgrmw/pgrmw/analyzer"
)

// fastDecode parses an event line without reflection: lint spends most of
// its reading time here, and encoding/json costs about four times as much
// for these small, flat objects. It understands exactly the JSON this
// package writes (any key order, unknown keys skipped); on anything else it
// reports an error and the caller falls back to encoding/json, which also
// gives the better error message.
func fastDecode(b []byte) (*analyzer.Event, error) {
	d := decoder{b: b}
	ev := &analyzer.Event{}
	if err := d.event(ev); err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, errSyntax
	}
	return ev, nil
}

var errSyntax = errors.New("capture line: unexpected JSON")

type decoder struct {
	b []byte
	i int
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) consume(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// object calls field for each key; field must consume the value.
func (d *decoder) object(field func(key []byte) error) error {
	if !d.consume('{') {
		return errSyntax
	}
	if d.consume('}') {
		return nil
	}
	for {
		d.space()
		key, err := d.rawString()
		if err != nil {
			return err
		}
		if !d.consume(':') {
			return errSyntax
		}
		d.space()
		if err := field(key); err != nil {
			return err
		}
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			return nil
		}
		return errSyntax
	}
}

// array calls elem for each element; elem must consume it.
func (d *decoder) array(elem func() error) error {
	if !d.consume('[') {
		return errSyntax
	}
	if d.consume(']') {
		return nil
	}
	for {
		d.space()
		if err := elem(); err != nil {
			return err
		}
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return nil
		}
		return errSyntax
	}
}

func (d *decoder) null() bool {
	if len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// rawString returns a string's bytes: a slice of the line when it has no
// escapes (valid until the line is reused), else a new buffer.
func (d *decoder) rawString() ([]byte, error) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, errSyntax
	}
	start := d.i + 1
	high := false
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			if high && !utf8.Valid(d.b[start:j]) {
				return nil, errSyntax // encoding/json substitutes U+FFFD
			}
			d.i = j + 1
			return d.b[start:j], nil
		case c >= 0x80:
			high = true
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			return nil, errSyntax
		}
	}
	return nil, errSyntax
}

func (d *decoder) escapedString(start int) ([]byte, error) {
	out := make([]byte, 0, 64)
	j := start
	for j < len(d.b) {
		c := d.b[j]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return nil, errSyntax
			}
			d.i = j + 1
			return out, nil
		case c < 0x20:
			return nil, errSyntax
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(d.b) {
			return nil, errSyntax
		}
		j++
		switch d.b[j] {
		case '"', '\\', '/':
			out = append(out, d.b[j])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := d.hex4(j + 1)
			if n < 0 {
				return nil, errSyntax
			}
			j += 4
			if utf16.IsSurrogate(r) {
				r2, n2 := rune(-1), -1
				if j+2 < len(d.b) && d.b[j+1] == '\\' && d.b[j+2] == 'u' {
					r2, n2 = d.hex4(j + 3)
				}
				if dec := utf16.DecodeRune(r, r2); n2 >= 0 && dec != utf8.RuneError {
					r = dec
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, errSyntax
		}
		j++
	}
	return nil, errSyntax
}

func (d *decoder) hex4(at int) (rune, int) {
	if at+4 > len(d.b) {
		return 0, -1
	}
	v, err := strconv.ParseUint(string(d.b[at:at+4]), 16, 32)
	if err != nil {
		return 0, -1
	}
	return rune(v), 4
}

func (d *decoder) str() (string, error) {
	b, err := d.rawString()
	return string(b), err
}

func (d *decoder) number() ([]byte, error) {
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c >= '0' && c <= '9' || c == '-' || c == '.' || c == 'e' || c == 'E' {
			d.i++
			continue
		}
		break
	}
	if d.i == start {
		return nil, errSyntax
	}
	return d.b[start:d.i], nil
}

func (d *decoder) uint(bits int) (uint64, error) {
	n, err := d.number()
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(n), 10, bits)
}

func (d *decoder) int(bits int) (int64, error) {
	n, err := d.number()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(n), 10, bits)
}

// char reads a status byte written as a one-character string (or a number).
func (d *decoder) char() (byte, error) {
	if d.i < len(d.b) && d.b[d.i] == '"' {
		s, err := d.rawString()
		if err != nil || len(s) != 1 {
			return 0, errSyntax
		}
		return s[0], nil
	}
	v, err := d.uint(8)
	return byte(v), err
}

func (d *decoder) values() ([][]byte, error) {
	if d.null() {
		return nil, nil
	}
	out := [][]byte{}
	err := d.array(func() error {
		switch {
		case d.null():
			out = append(out, nil)
		case d.i < len(d.b) && d.b[d.i] == '{':
			var raw []byte
			err := d.object(func(key []byte) error {
				if string(key) != "b64" {
					return errSyntax
				}
				s, err := d.rawString()
				if err != nil {
					return err
				}
				raw, err = base64.StdEncoding.DecodeString(string(s))
				return err
			})
			if err != nil {
				return err
			}
			if raw == nil {
				raw = []byte{}
			}
			out = append(out, raw)
		default:
			s, err := d.rawString()
			if err != nil {
				return err
			}
			out = append(out, append(make([]byte, 0, len(s)), s...))
		}
		return nil
	})
	return out, err
}

func (d *decoder) int16s() ([]int16, error) {
	if d.null() {
		return nil, nil
	}
	out := []int16{}
	err := d.array(func() error {
		v, err := d.int(16)
		out = append(out, int16(v))
		return err
	})
	return out, err
}

func (d *decoder) uint32s() ([]uint32, error) {
	if d.null() {
		return nil, nil
	}
	out := []uint32{}
	err := d.array(func() error {
		v, err := d.uint(32)
		out = append(out, uint32(v))
		return err
	})
	return out, err
}

func (d *decoder) columns() ([]analyzer.Column, error) {
	if d.null() {
		return nil, nil
	}
	out := []analyzer.Column{}
	err := d.array(func() error {
		var c analyzer.Column
		err := d.object(func(key []byte) error {
			var err error
			var v uint64
			var n int64
			switch string(key) {
			case "name":
				c.Name, err = d.str()
			case "table_oid":
				v, err = d.uint(32)
				c.TableOID = uint32(v)
			case "attnum":
				v, err = d.uint(16)
				c.AttrNum = uint16(v)
			case "type_oid":
				v, err = d.uint(32)
				c.TypeOID = uint32(v)
			case "format":
				n, err = d.int(16)
				c.Format = int16(n)
			default:
				err = errSyntax
			}
			return err
		})
		out = append(out, c)
		return err
	})
	return out, err
}

func (d *decoder) startup() (map[string]string, error) {
	if d.null() {
		return nil, nil
	}
	out := map[string]string{}
	err := d.object(func(key []byte) error {
		v, err := d.str()
		out[string(key)] = v
		return err
	})
	return out, err
}

func (d *decoder) event(ev *analyzer.Event) error {
	sawKind := false
	err := d.object(func(key []byte) error {
		var err error
		var v uint64
		switch string(key) {
		case "kind":
			var k []byte
			k, err = d.rawString()
			ev.Kind = analyzer.ParseEventKind(string(k))
			sawKind = true
		case "session":
			ev.Session, err = d.str()
		case "time":
			var t []byte
			if t, err = d.rawString(); err == nil {
				ev.Time, err = time.Parse(time.RFC3339Nano, string(t))
			}
		case "startup":
			ev.Startup, err = d.startup()
		case "sql":
			ev.SQL, err = d.str()
		case "statement":
			ev.Statement, err = d.str()
		case "portal":
			ev.Portal, err = d.str()
		case "target":
			ev.Target, err = d.char()
		case "param_oids":
			ev.ParamOIDs, err = d.uint32s()
		case "param_formats":
			ev.ParamFormats, err = d.int16s()
		case "params":
			ev.Params, err = d.values()
		case "result_formats":
			ev.ResultFormats, err = d.int16s()
		case "max_rows":
			v, err = d.uint(32)
			ev.MaxRows = uint32(v)
		case "columns":
			ev.Columns, err = d.columns()
		case "values":
			ev.Values, err = d.values()
		case "tag":
			ev.Tag, err = d.str()
		case "severity":
			ev.Severity, err = d.str()
		case "sqlstate":
			ev.SQLState, err = d.str()
		case "message":
			ev.Message, err = d.str()
		case "detail":
			ev.Detail, err = d.str()
		case "tx_status":
			ev.TxStatus, err = d.char()
		case "name":
			ev.Name, err = d.str()
		case "value":
			ev.Value, err = d.str()
		default:
			// A field from a newer writer: encoding/json skips it properly.
			err = errSyntax
		}
		return err
	})
	if err == nil && !sawKind {
		return errSyntax
	}
	return err
}
