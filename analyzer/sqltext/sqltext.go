// Package sqltext is a small, allocation-light SQL lexer for the one job the
// rest of pgrmw needs without a full parse: finding the literals in a
// statement. It knows PostgreSQL's lexical rules for strings ('…' with
// doubled quotes as escapes, E'…' with backslash escapes, B'…', X'…', N'…', U&'…'), dollar
// quotes ($$…$$, $tag$…$tag$), quoted identifiers, line and nested block
// comments, numeric literals (42, 1.5, .5, 1.5e3, 0x1F, 1_000) and positional
// parameters ($1, which are not literals).
//
// Uses: the analyzer caches statement facts by normalized text (pgbench -M
// simple sends a new text for every transaction; parsing each costs a cgo
// call), and the capture writer replaces literal values before hashing them.
package sqltext

import (
	"strconv"
	"strings"
)

// Kind says what a literal is.
type Kind uint8

const (
	String Kind = iota + 1 // '…', E'…', B'…', X'…', N'…', U&'…', $$…$$
	Number                 // 42, 1.5e3, 0x1F
)

// Literal is the byte range [Start, End) of one literal in the SQL text,
// including its quotes and prefix.
type Literal struct {
	Start, End int
	Kind       Kind
}

// Literals returns the literals of sql in order.
func Literals(sql string) []Literal {
	return AppendLiterals(nil, sql)
}

// AppendLiterals appends the literals of sql to dst (reuse dst to avoid
// allocating on a hot path).
func AppendLiterals(dst []Literal, sql string) []Literal {
	s := scanner{src: sql}
	for {
		tok := s.next()
		if tok.kind == tokEOF {
			return dst
		}
		if tok.kind == tokString || tok.kind == tokNumber {
			k := String
			if tok.kind == tokNumber {
				k = Number
			}
			dst = append(dst, Literal{Start: tok.start, End: tok.end, Kind: k})
		}
	}
}

// MaxParam returns the highest positional parameter number ($n) in sql, 0 if
// there is none.
func MaxParam(sql string) int {
	s := scanner{src: sql}
	max := 0
	for {
		tok := s.next()
		if tok.kind == tokEOF {
			return max
		}
		if tok.kind == tokParam {
			if n, err := strconv.Atoi(sql[tok.start+1 : tok.end]); err == nil && n > max {
				max = n
			}
		}
	}
}

// Normalize replaces each literal by a positional parameter numbered after
// the highest one already in sql ($1 stays $1; literals become $2, $3, …) and
// returns the new text and each literal's value as it would be bound in text
// format (strings unquoted, numbers as written). A text without literals comes
// back unchanged (same string, no allocation).
//
// The normalized text may not parse where the grammar wants a literal
// (`SET x = 5`, `interval '1 day'`): callers fall back to the original text.
func Normalize(sql string) (string, []string) {
	var buf [16]Literal
	lits := AppendLiterals(buf[:0], sql)
	if len(lits) == 0 {
		return sql, nil
	}
	next := MaxParam(sql) + 1
	values := make([]string, len(lits))
	var b strings.Builder
	b.Grow(len(sql))
	prev := 0
	for i, l := range lits {
		b.WriteString(sql[prev:l.Start])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(next + i))
		values[i] = Unquote(sql[l.Start:l.End])
		prev = l.End
	}
	b.WriteString(sql[prev:])
	return b.String(), values
}

// ReplaceLiterals returns sql with each literal's raw text (quotes and prefix
// included, e.g. `'O”Brien'` or `42`) replaced by f's result. A text without
// literals comes back unchanged.
func ReplaceLiterals(sql string, f func(lit string) string) string {
	var buf [16]Literal
	lits := AppendLiterals(buf[:0], sql)
	if len(lits) == 0 {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql))
	prev := 0
	for _, l := range lits {
		b.WriteString(sql[prev:l.Start])
		b.WriteString(f(sql[l.Start:l.End]))
		prev = l.End
	}
	b.WriteString(sql[prev:])
	return b.String()
}

// Unquote returns the value a literal's raw text denotes, in the text form a
// client would bind it: 'O”Brien' → O'Brien, E'a\nb' → a, newline, b,
// $$x$$ → x, 42 → 42, 1_000 → 1000. B'…' and X'…' keep their digits only.
// Text that is not a literal comes back unchanged.
func Unquote(lit string) string {
	if lit == "" {
		return lit
	}
	c := lit[0]
	switch {
	case c == '$':
		// $tag$body$tag$
		end := strings.IndexByte(lit[1:], '$')
		if end < 0 {
			return lit
		}
		tagLen := end + 2
		if len(lit) < 2*tagLen {
			return lit
		}
		return lit[tagLen : len(lit)-tagLen]
	case c == '\'':
		return unquoteStandard(lit)
	case c == 'e' || c == 'E':
		if len(lit) > 1 && lit[1] == '\'' {
			return unquoteEscape(lit[1:])
		}
	case c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N':
		if len(lit) > 1 && lit[1] == '\'' {
			return unquoteStandard(lit[1:])
		}
	case c == 'u' || c == 'U':
		// U&'…': unicode escapes are rare enough to keep verbatim.
		if len(lit) > 2 && lit[1] == '&' && lit[2] == '\'' {
			return unquoteStandard(lit[2:])
		}
	case c >= '0' && c <= '9', c == '.':
		if strings.IndexByte(lit, '_') >= 0 {
			return strings.ReplaceAll(lit, "_", "")
		}
		return lit
	}
	return lit
}

// unquoteStandard strips the quotes of '…' and undoubles ”.
func unquoteStandard(q string) string {
	if len(q) < 2 || q[0] != '\'' || q[len(q)-1] != '\'' {
		return q
	}
	body := q[1 : len(q)-1]
	if strings.Index(body, "''") < 0 {
		return body
	}
	return strings.ReplaceAll(body, "''", "'")
}

// unquoteEscape handles the body of E'…': backslash escapes and ”.
func unquoteEscape(q string) string {
	if len(q) < 2 || q[0] != '\'' || q[len(q)-1] != '\'' {
		return q
	}
	body := q[1 : len(q)-1]
	if strings.IndexByte(body, '\\') < 0 && strings.Index(body, "''") < 0 {
		return body
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\'' && i+1 < len(body) && body[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default:
			b.WriteByte(body[i])
		}
	}
	return b.String()
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokString
	tokNumber
	tokParam
	tokOther
)

type token struct {
	kind       tokKind
	start, end int
}

// scanner walks the text one token at a time; only the token kinds the
// package needs are distinguished, everything else is tokOther.
type scanner struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (s *scanner) next() token {
	src := s.src
	for s.pos < len(src) {
		start := s.pos
		c := src[s.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.pos++
		case c == '-' && s.peek(1) == '-':
			nl := strings.IndexByte(src[s.pos:], '\n')
			if nl < 0 {
				s.pos = len(src)
			} else {
				s.pos += nl + 1
			}
		case c == '/' && s.peek(1) == '*':
			s.skipBlockComment()
		case c == '\'':
			s.skipQuoted('\'', false)
			return token{tokString, start, s.pos}
		case c == '"':
			s.skipQuoted('"', false)
			return token{tokOther, start, s.pos}
		case (c == 'e' || c == 'E') && s.peek(1) == '\'':
			s.pos++
			s.skipQuoted('\'', true)
			return token{tokString, start, s.pos}
		case (c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && s.peek(1) == '\'':
			s.pos++
			s.skipQuoted('\'', false)
			return token{tokString, start, s.pos}
		case (c == 'u' || c == 'U') && s.peek(1) == '&' && (s.peek(2) == '\'' || s.peek(2) == '"'):
			q := s.peek(2)
			s.pos += 2
			s.skipQuoted(q, false)
			if q == '"' {
				return token{tokOther, start, s.pos}
			}
			return token{tokString, start, s.pos}
		case isIdentStart(c):
			s.pos++
			for s.pos < len(src) && isIdentCont(src[s.pos]) {
				s.pos++
			}
			return token{tokOther, start, s.pos}
		case c == '$':
			if isDigit(s.peek(1)) {
				s.pos++
				for s.pos < len(src) && isDigit(src[s.pos]) {
					s.pos++
				}
				return token{tokParam, start, s.pos}
			}
			if s.skipDollarQuoted() {
				return token{tokString, start, s.pos}
			}
			s.pos++
			return token{tokOther, start, s.pos}
		case isDigit(c) || (c == '.' && isDigit(s.peek(1))):
			s.skipNumber()
			return token{tokNumber, start, s.pos}
		default:
			s.pos++
			return token{tokOther, start, s.pos}
		}
	}
	return token{kind: tokEOF, start: len(src), end: len(src)}
}

func (s *scanner) peek(n int) byte {
	if s.pos+n < len(s.src) {
		return s.src[s.pos+n]
	}
	return 0
}

// skipBlockComment skips /* … */, which nests in PostgreSQL.
func (s *scanner) skipBlockComment() {
	depth := 0
	for s.pos < len(s.src) {
		if s.src[s.pos] == '/' && s.peek(1) == '*' {
			depth++
			s.pos += 2
			continue
		}
		if s.src[s.pos] == '*' && s.peek(1) == '/' {
			depth--
			s.pos += 2
			if depth == 0 {
				return
			}
			continue
		}
		s.pos++
	}
}

// skipQuoted skips a q-quoted token starting at s.pos (on the opening quote);
// a doubled quote is an escaped quote; with backslash, \x escapes x. An
// unterminated token runs to the end of the text.
func (s *scanner) skipQuoted(q byte, backslash bool) {
	s.pos++
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if backslash && c == '\\' {
			s.pos += 2
			continue
		}
		if c == q {
			if s.peek(1) == q {
				s.pos += 2
				continue
			}
			s.pos++
			return
		}
		s.pos++
	}
	if s.pos > len(s.src) {
		s.pos = len(s.src)
	}
}

// skipDollarQuoted skips $tag$…$tag$ when s.pos is on a valid opening tag and
// reports whether it did.
func (s *scanner) skipDollarQuoted() bool {
	src := s.src
	i := s.pos + 1
	if i < len(src) && src[i] != '$' {
		if !isIdentStart(src[i]) {
			return false
		}
		for i < len(src) && src[i] != '$' {
			if !isIdentCont(src[i]) {
				return false
			}
			i++
		}
	}
	if i >= len(src) {
		return false
	}
	tag := src[s.pos : i+1]
	end := strings.Index(src[i+1:], tag)
	if end < 0 {
		s.pos = len(src)
		return true
	}
	s.pos = i + 1 + end + len(tag)
	return true
}

// skipNumber skips 42, 4.2, .42, 4.2e-3, 0x1F, 0o17, 0b101, 1_000.
func (s *scanner) skipNumber() {
	src := s.src
	if src[s.pos] == '0' && s.pos+1 < len(src) {
		switch src[s.pos+1] {
		case 'x', 'X', 'o', 'O', 'b', 'B':
			s.pos += 2
			for s.pos < len(src) && (isHex(src[s.pos]) || src[s.pos] == '_') {
				s.pos++
			}
			return
		}
	}
	for s.pos < len(src) && (isDigit(src[s.pos]) || src[s.pos] == '_') {
		s.pos++
	}
	// A '.' followed by another '.' is a range in array slices (a[1..2]
	// is not SQL, but 1..2 should not eat both dots).
	if s.pos < len(src) && src[s.pos] == '.' && s.peek(1) != '.' {
		s.pos++
		for s.pos < len(src) && (isDigit(src[s.pos]) || src[s.pos] == '_') {
			s.pos++
		}
	}
	if s.pos < len(src) && (src[s.pos] == 'e' || src[s.pos] == 'E') {
		j := s.pos + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			s.pos = j
			for s.pos < len(src) && isDigit(src[s.pos]) {
				s.pos++
			}
		}
	}
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// Words calls fn for each bare word (keyword or unquoted identifier) of sql
// in order, skipping literals, quoted identifiers and comments, until fn
// returns false.
func Words(sql string, fn func(word string) bool) {
	s := scanner{src: sql}
	for {
		tok := s.next()
		if tok.kind == tokEOF {
			return
		}
		if tok.kind == tokOther && isIdentStart(sql[tok.start]) {
			if !fn(sql[tok.start:tok.end]) {
				return
			}
		}
	}
}

// FirstWord returns the first bare word of sql ("select", "WITH"…), as written.
func FirstWord(sql string) string {
	var w string
	Words(sql, func(word string) bool { w = word; return false })
	return w
}

// HasWord reports whether sql contains the bare word (case-insensitive).
func HasWord(sql, word string) bool {
	found := false
	Words(sql, func(w string) bool {
		if strings.EqualFold(w, word) {
			found = true
			return false
		}
		return true
	})
	return found
}

// Split cuts a multi-statement text at top-level semicolons (not those in
// literals, quoted identifiers or comments) and returns the non-empty
// statements, trimmed.
func Split(sql string) []string {
	var out []string
	s := scanner{src: sql}
	start := 0
	for {
		tok := s.next()
		if tok.kind == tokEOF {
			break
		}
		if tok.kind == tokOther && sql[tok.start] == ';' {
			if p := strings.TrimSpace(sql[start:tok.start]); p != "" {
				out = append(out, p)
			}
			start = tok.end
		}
	}
	if p := strings.TrimSpace(sql[start:]); p != "" {
		out = append(out, p)
	}
	return out
}
