package report

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// NormalizeSQL replaces literals with $n placeholders (PostgreSQL's own
// normalization, via pg_query) so one group shows one statement shape rather
// than the literals of whichever occurrence came first. Text that does not
// parse (a truncated log line, another dialect) is returned with its
// whitespace collapsed.
func NormalizeSQL(sql string) string {
	if n, err := pg_query.Normalize(sql); err == nil {
		sql = n
	}
	return collapseSpace(sql)
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// sqlToken classes, used as CSS classes in HTML.
const (
	tokPlain   = ""
	tokKeyword = "k"
	tokString  = "s"
	tokNumber  = "n"
	tokParam   = "p"
	tokComment = "c"
	tokIdent   = "i" // "quoted identifier"
)

type sqlToken struct {
	class string
	text  string
}

// HighlightSQL returns sql as HTML with keywords, literals, parameters and
// comments wrapped in <span class>. Every piece of text is escaped: SQL is
// user-controlled and a report must never run what a client sent.
func HighlightSQL(sql string) template.HTML {
	var b strings.Builder
	for _, t := range tokenizeSQL(sql) {
		esc := template.HTMLEscapeString(t.text)
		if t.class == tokPlain {
			b.WriteString(esc)
			continue
		}
		b.WriteString(`<span class="`)
		b.WriteString(t.class)
		b.WriteString(`">`)
		b.WriteString(esc)
		b.WriteString(`</span>`)
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped pieces only
}

// tokenizeSQL splits SQL into highlightable tokens. It is a display lexer,
// not a parser: anything it does not recognise is plain text, and the
// concatenation of the tokens is always exactly the input.
func tokenizeSQL(s string) []sqlToken {
	var out []sqlToken
	plainStart := 0
	emit := func(start, end int, class string) {
		if plainStart < start {
			out = append(out, sqlToken{tokPlain, s[plainStart:start]})
		}
		out = append(out, sqlToken{class, s[start:end]})
		plainStart = end
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s)
			} else {
				end += i
			}
			emit(i, end, tokComment)
			i = end
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				end = len(s)
			} else {
				end += i + 4
			}
			emit(i, end, tokComment)
			i = end
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && !identBefore(s, i)):
			start := i
			if c != '\'' {
				i++
			}
			end := quotedEnd(s, i, '\'', c != '\'')
			emit(start, end, tokString)
			i = end
		case c == '"':
			end := quotedEnd(s, i, '"', false)
			emit(i, end, tokIdent)
			i = end
		case c == '$':
			if end, ok := dollarQuoteEnd(s, i); ok {
				emit(i, end, tokString)
				i = end
				break
			}
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > i+1 {
				emit(i, j, tokParam)
				i = j
				break
			}
			i++
		case c >= '0' && c <= '9' && !identBefore(s, i):
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '_') {
				j++
			}
			emit(i, j, tokNumber)
			i = j
		case isIdentStart(s, i):
			j := i
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if r != '_' && r != '$' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += size
			}
			if sqlKeywords[strings.ToUpper(s[i:j])] {
				emit(i, j, tokKeyword)
			}
			i = j
		default:
			i++
		}
	}
	if plainStart < len(s) {
		out = append(out, sqlToken{tokPlain, s[plainStart:]})
	}
	return out
}

func isIdentStart(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r == '_' || unicode.IsLetter(r)
}

// identBefore reports whether s[i] continues an identifier (t1, E in "name'").
func identBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// quotedEnd returns the index after the closing quote starting at s[i]
// (doubled quotes escape; so does backslash in E-strings), or len(s)
// when unterminated (a truncated statement).
func quotedEnd(s string, i int, q byte, backslash bool) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if backslash {
				j++
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// dollarQuoteEnd recognises $tag$ … $tag$ (tag may be empty) starting at s[i].
func dollarQuoteEnd(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || (j > i+1 && s[j] >= '0' && s[j] <= '9')) {
		j++
	}
	if j >= len(s) || s[j] != '$' {
		return 0, false
	}
	tag := s[i : j+1]
	end := strings.Index(s[j+1:], tag)
	if end < 0 {
		return len(s), true
	}
	return j + 1 + end + len(tag), true
}

// sqlKeywords are the words worth colouring in statements pgrmw shows.
var sqlKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		SELECT FROM WHERE AND OR NOT IN IS NULL AS ON JOIN LEFT RIGHT INNER OUTER FULL CROSS USING
		UPDATE SET INSERT INTO VALUES DELETE RETURNING DEFAULT CONFLICT DO NOTHING EXCLUDED
		FOR SHARE KEY NO NOWAIT SKIP LOCKED OF WITH RECURSIVE
		BEGIN START TRANSACTION COMMIT ROLLBACK SAVEPOINT RELEASE ISOLATION LEVEL READ COMMITTED
		UNCOMMITTED REPEATABLE SERIALIZABLE WRITE ONLY SESSION CHARACTERISTICS
		ORDER BY GROUP HAVING LIMIT OFFSET DISTINCT UNION ALL ANY SOME EXISTS BETWEEN LIKE ILIKE
		CASE WHEN THEN ELSE END COALESCE NULLIF GREATEST LEAST CAST TRUE FALSE ASC DESC
		TABLE LOCK MODE EXCLUSIVE ROW CREATE ALTER DROP INDEX PREPARE EXECUTE DEALLOCATE
		RAISE EXCEPTION`) {
		m[w] = true
	}
	return m
}()
