package serverlog

import (
	"fmt"
	"regexp"
	"strings"
)

// RecommendedPrefix is the log_line_prefix this package documents: time with
// milliseconds, pid, session id, SQLSTATE, then the virtual transaction id
// (which groups pipelined extended-protocol statements into their implicit
// transaction), user, database and application name (last, because it may
// contain spaces).
const RecommendedPrefix = "%m [%p] %c %e %q%v %u@%d %a "

// knownPrefixes are tried, in order, when the caller does not name one:
// ours (and the one recommended before it, without %v), PostgreSQL's
// default, Debian's default, and the pgBadger one.
var knownPrefixes = []string{
	RecommendedPrefix,
	"%m [%p] %c %e %q%u@%d %a ",
	"%m [%p] %q%u@%d ",
	"%m [%p] ",
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: user=%u,db=%d,app=%a,client=%h ",
	"%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t [%p] ",
	"%m %c ",
}

// levelPattern matches the severity or field label after a stderr prefix.
const levelPattern = `DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION`

// linePattern is a compiled log_line_prefix: a regexp for whole lines and the
// submatch index of each field it carries (-1 when absent).
type linePattern struct {
	prefix string
	re     *regexp.Regexp
	time   int
	timeMS bool // %m (milliseconds) or %n (epoch) rather than %t
	epoch  bool
	pid    int
	sess   int
	vxid   int
	user   int
	db     int
	app    int
	state  int
	level  int
	text   int
}

// compilePrefix turns a log_line_prefix into a linePattern.
func compilePrefix(prefix string) (*linePattern, error) {
	p := &linePattern{prefix: prefix, time: -1, pid: -1, sess: -1, user: -1, db: -1, app: -1, state: -1}
	var b strings.Builder
	b.WriteString("^")
	group := 0
	capture := func(pat string) int {
		group++
		b.WriteString("(" + pat + ")")
		return group
	}
	optional := 0 // open (?: groups from %q
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if c != '%' || i+1 >= len(prefix) {
			b.WriteString(regexp.QuoteMeta(string(c)))
			continue
		}
		i++
		// Optional padding, e.g. %-10a or %10p: values are space padded.
		padded := false
		for i < len(prefix) && (prefix[i] == '-' || prefix[i] >= '0' && prefix[i] <= '9') {
			padded = true
			i++
		}
		if i >= len(prefix) {
			return nil, fmt.Errorf("log_line_prefix %q: ends inside an escape", prefix)
		}
		if padded {
			b.WriteString(` *`)
		}
		switch prefix[i] {
		case 'm':
			p.time, p.timeMS = capture(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+`), true
		case 't':
			p.time = capture(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+`)
		case 'n':
			p.time, p.epoch = capture(`\d+\.\d+`), true
		case 's':
			b.WriteString(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+`)
		case 'p':
			p.pid = capture(`\d+`)
		case 'P':
			b.WriteString(`\d*`)
		case 'c':
			p.sess = capture(`[0-9a-f]+\.[0-9a-f]+`)
		case 'l':
			b.WriteString(`\d+`)
		case 'u':
			p.user = capture(`.*?`)
		case 'd':
			p.db = capture(`.*?`)
		case 'a':
			p.app = capture(`.*?`)
		case 'e':
			p.state = capture(`[0-9A-Z]{5}`)
		case 'v':
			p.vxid = capture(`\S*`)
		case 'r', 'h', 'L':
			b.WriteString(`\S*`)
		case 'x', 'Q':
			b.WriteString(`-?\d*`)
		case 'b', 'i':
			b.WriteString(`.*?`)
		case 'q':
			// Non-session processes stop printing the prefix here.
			b.WriteString(`(?:`)
			optional++
		case '%':
			b.WriteString(`%`)
		default:
			return nil, fmt.Errorf("log_line_prefix %q: unknown escape %%%c", prefix, prefix[i])
		}
		if padded {
			b.WriteString(` *`)
		}
	}
	for ; optional > 0; optional-- {
		b.WriteString(`)?`)
	}
	p.level = capture(levelPattern)
	b.WriteString(`:  `)
	p.text = capture(`.*`)
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("log_line_prefix %q: %w", prefix, err)
	}
	p.re = re
	return p, nil
}
