package capture

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// hashBytes is how much of the HMAC is kept: 80 bits make an accidental
// collision between two values of one capture vanishingly unlikely while
// keeping lines short.
const hashBytes = 10

// redactor rewrites an event's values according to the capture's value mode.
// Not safe for concurrent use (the writer holds its lock).
type redactor struct {
	mode string
	mac  hash.Hash
	sum  []byte
	hex  []byte
}

func newRedactor(mode string, key []byte) *redactor {
	r := &redactor{mode: mode}
	if mode == ValuesHash {
		r.mac = hmac.New(sha256.New, key)
		r.hex = make([]byte, 2+2*hashBytes)
	}
	return r
}

// keyID identifies a key without revealing it.
func keyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pgrmw-capture key id"))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// hashValue returns "h:" + hex(HMAC(value))[:80 bits].
func (r *redactor) hashValue(v []byte) []byte {
	r.mac.Reset()
	r.mac.Write(v)
	r.sum = r.mac.Sum(r.sum[:0])
	out := make([]byte, 2+2*hashBytes)
	out[0], out[1] = 'h', ':'
	hex.Encode(out[2:], r.sum[:hashBytes])
	return out
}

// redact rewrites ev in place; the caller passes a private copy.
func (r *redactor) redact(ev *analyzer.Event) {
	if r.mode == ValuesRaw {
		return
	}
	ev.Params = r.values(ev.Params, true)
	ev.Values = r.values(ev.Values, false)
	if ev.SQL != "" {
		ev.SQL = r.sql(ev.SQL)
	}
	// Error details quote the offending values ("Key (id)=(42) already exists").
	ev.Detail = ""
}

// values redacts a message's values. With arrays (Bind parameters), a
// one-dimensional array ({1,42}) is hashed element by element ({h:…,h:…}):
// the analyzer expands = ANY($1) and unnest($1) into rows, and each
// element must still equal the same value hashed elsewhere (a row's id in
// a DataRow).
func (r *redactor) values(vs [][]byte, arrays bool) [][]byte {
	if vs == nil {
		return nil
	}
	out := make([][]byte, len(vs))
	for i, v := range vs {
		switch {
		case v == nil || r.mode == ValuesNone:
			// NULL stays NULL; none mode makes everything NULL.
		case arrays && isPlainArray(v):
			out[i] = r.hashArray(v)
		default:
			out[i] = r.hashValue(v)
		}
	}
	return out
}

// isPlainArray reports whether v is a one-dimensional array in text form
// with at least one element. A JSON object ({"a": 1}) is not: its ':'
// outside quotes rules it out, as nested braces rule out what the analyzer
// would not expand either.
func isPlainArray(v []byte) bool {
	if len(v) < 3 || v[0] != '{' || v[len(v)-1] != '}' {
		return false
	}
	inQuote := false
	for i := 1; i < len(v)-1; i++ {
		switch c := v[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == ':' || c == '{' || c == '}'):
			return false
		}
	}
	return !inQuote
}

// hashArray hashes each element of a plain array; NULL elements stay NULL.
func (r *redactor) hashArray(v []byte) []byte {
	elems := analyzer.ArrayElements(string(v))
	out := make([]byte, 0, 2+len(elems)*(3+2*hashBytes))
	out = append(out, '{')
	for i, e := range elems {
		if i > 0 {
			out = append(out, ',')
		}
		if e == "NULL" {
			out = append(out, e...)
			continue
		}
		out = append(out, r.hashValue([]byte(e))...)
	}
	return append(out, '}')
}

// sql replaces the literals of each statement in text, leaving those of
// configuration statements (SET, RESET, SHOW, BEGIN, START TRANSACTION, FETCH, MOVE) alone
// because the analyzer needs them (isolation levels, cursor fetches) and they hold no data.
func (r *redactor) sql(text string) string {
	lits := sqltext.Literals(text)
	if len(lits) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16*len(lits))
	prev := 0
	stmtStart := 0 // start of the statement holding the current literal
	for _, l := range lits {
		// Statement boundaries: a ';' between literals (a ';' inside a literal
		// is skipped because we only look at the gaps between them).
		if i := strings.LastIndexByte(text[prev:l.Start], ';'); i >= 0 {
			stmtStart = prev + i + 1
		}
		b.WriteString(text[prev:l.Start])
		raw := text[l.Start:l.End]
		switch {
		case isConfigStatement(text[stmtStart:]):
			b.WriteString(raw)
		case r.mode == ValuesNone:
			b.WriteString("NULL")
		default:
			b.WriteByte('\'')
			b.Write(r.hashValue([]byte(sqltext.Unquote(raw))))
			b.WriteByte('\'')
		}
		prev = l.End
	}
	b.WriteString(text[prev:])
	return b.String()
}

// configKeywords start statements whose literals hold no data: settings,
// and FETCH/MOVE, whose count a hashed capture would make unparsable.
var configKeywords = []string{"SET", "RESET", "SHOW", "BEGIN", "START", "FETCH", "MOVE"}

// isConfigStatement reports whether the statement starting at s (after
// whitespace and comments) begins with a configuration keyword.
func isConfigStatement(s string) bool {
	s = skipSpaceAndComments(s)
	for _, kw := range configKeywords {
		if len(s) >= len(kw) && strings.EqualFold(s[:len(kw)], kw) &&
			(len(s) == len(kw) || !isWordByte(s[len(kw)])) {
			return true
		}
	}
	return false
}

func skipSpaceAndComments(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n\f")
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return ""
			}
			s = s[i+2:]
		default:
			return s
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
