// Package serverlog reads PostgreSQL server logs written with statement
// logging on and turns them into the analyzer's events, so `pgrmw lint` can
// check the traffic of a test run without a proxy in the path.
//
// # Settings
//
// Add to postgresql.conf (or pass as -c options, or ALTER SYSTEM):
//
//	log_statement = 'all'                 # every statement, both protocols
//	log_line_prefix = '%m [%p] %c %e %q%v %u@%d %a '
//	log_connections = on                  # session start: user, database, application
//	log_disconnections = on               # session end
//	log_timezone = 'UTC'
//	# optional, for csvlog or jsonlog (PostgreSQL 15+) instead of stderr:
//	# logging_collector = on
//	# log_destination = 'jsonlog'         # or 'csvlog'
//
// The prefix needs a session id (%c) or a pid (%p) to keep sessions apart;
// %m or %t gives times, %u, %d and %a say who ran what, %e gives the SQLSTATE
// of errors. Other prefixes work too: the reader recognises PostgreSQL's and
// Debian's defaults and pgBadger's, and Options.LinePrefix names any other.
// csvlog and jsonlog carry every field whatever the prefix.
// With log_statement = 'none' and log_min_duration_statement = 0 instead,
// the "duration: … ms  statement: …" and "duration: … ms  execute …" lines
// are read (logged when a statement ends rather than when it starts). A
// session that logs statement lines has its duration lines skipped, so both
// settings together do not count a statement twice; do not combine
// log_statement = 'mod' or 'ddl' with log_min_duration_statement, which
// logs writes twice in two different ways and reads once.
//
// # What becomes an event
//
//   - "statement: SQL" → Query;
//   - "execute NAME: SQL" with "DETAIL:  parameters: $1 = '42', …" → Parse
//     (when the statement is unnamed or new), Bind with the text parameters,
//     Execute, Sync; "execute fetch from …" → Execute, Sync;
//   - "connection authorized: user=… database=… application_name=…", or the
//     first statement of a session → SessionStart (user, database,
//     application_name); "disconnection: …" → SessionEnd;
//   - ERROR/FATAL lines of a known session → Error with the SQLSTATE when
//     the prefix has %e (csvlog and jsonlog always have it).
//
// The log has no server responses: no ReadyForQuery (the analyzer follows
// transactions from BEGIN/COMMIT/ROLLBACK itself when a stream has none), no
// result rows, no command tags. Rules that need them cannot run on a server
// log (the lint driver says which). Errors are the one server message the log
// does carry. Two more blind spots: a row identified only by a value the
// SELECT returned (Rails reading by name, updating by the returned id), and
// an isolation level set outside the SQL (startup options, PGOPTIONS, ALTER
// ROLE … SET default_transaction_isolation): a session made SERIALIZABLE
// that way looks like READ COMMITTED in the log.
//
// Reading streams: memory is bounded by the number of open sessions, and the
// state of sessions that never log their end is forgotten past 20000.
package serverlog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Format is a server log format.
type Format int

const (
	FormatUnknown Format = iota
	FormatStderr
	FormatCSV
	FormatJSON
)

func (f Format) String() string {
	switch f {
	case FormatStderr:
		return "stderr"
	case FormatCSV:
		return "csvlog"
	case FormatJSON:
		return "jsonlog"
	}
	return "unknown"
}

// Options configure a Reader.
type Options struct {
	// LinePrefix is the server's log_line_prefix for stderr logs; empty tries
	// the recommended prefix and common defaults.
	LinePrefix string
}

// detectLines is how many lines are read ahead to recognise a stderr prefix.
const detectLines = 1000

var (
	csvStart    = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [A-Za-z0-9+:-]+,`)
	stderrStart = regexp.MustCompile(`^\S.*?(LOG|ERROR|FATAL|WARNING|STATEMENT|DETAIL):  `)
)

// Detect guesses a log's format from its first line.
func Detect(firstLine []byte) Format {
	l := bytes.TrimSpace(firstLine)
	switch {
	case bytes.HasPrefix(l, []byte("{")) && bytes.Contains(l, []byte(`"error_severity"`)):
		return FormatJSON
	case csvStart.Match(l):
		return FormatCSV
	case stderrStart.Match(l):
		return FormatStderr
	}
	return FormatUnknown
}

// Reader yields the events of one server log, one at a time.
type Reader struct {
	name   string
	format Format
	src    recordSource
	synth  *synth
	queue  []*analyzer.Event
	lines  []int // source line of each queued event
	line   int   // source line of the event Next returned last
	closer io.Closer
	done   bool
}

// Open opens a log file; see NewReader.
func Open(path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open server log: %w", err)
	}
	r, err := NewReader(f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader recognises the log's format from its first lines and prepares to
// read it; name is used in errors.
func NewReader(in io.Reader, name string, opts Options) (*Reader, error) {
	br, ok := in.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(in, 256<<10)
	}
	peek, _ := br.Peek(4096)
	firstLine := peek
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		firstLine = peek[:i]
	}
	r := &Reader{name: name, synth: newSynth()}
	r.format = Detect(firstLine)
	switch r.format {
	case FormatJSON:
		r.src = &jsonSource{name: name, br: br}
	case FormatCSV:
		r.src = newCSVSource(name, br)
	default:
		// Stderr, or an unrecognised first line (a log may start with
		// non-prefixed output): read ahead and pick the prefix.
		var lines []string
		for len(lines) < detectLines {
			l, err := readPhysicalLine(br)
			if err != nil {
				break
			}
			lines = append(lines, l)
		}
		candidates := knownPrefixes
		if opts.LinePrefix != "" {
			candidates = []string{opts.LinePrefix}
		}
		p, err := detectPrefix(lines, candidates)
		if err != nil {
			return nil, fmt.Errorf("%s: not a PostgreSQL server log: %w", name, err)
		}
		r.format = FormatStderr
		r.src = &stderrSource{name: name, br: br, pattern: p, buffered: lines}
	}
	return r, nil
}

// Format is the detected format.
func (r *Reader) Format() Format { return r.format }

// Name is the file name used in errors.
func (r *Reader) Name() string { return r.name }

// Next returns the next event, or io.EOF at the end.
func (r *Reader) Next() (*analyzer.Event, error) {
	for len(r.queue) == 0 {
		if r.done {
			return nil, io.EOF
		}
		rec, err := r.src.next()
		if err == io.EOF {
			r.done = true
			r.synth.flushAll()
		} else if err != nil {
			return nil, err
		} else {
			r.synth.handle(rec)
		}
		r.queue, r.synth.out = r.synth.out, r.queue[:0]
		r.lines, r.synth.lines = r.synth.lines, r.lines[:0]
	}
	ev := r.queue[0]
	r.line = r.lines[0]
	r.queue[0] = nil
	r.queue, r.lines = r.queue[1:], r.lines[1:]
	return ev, nil
}

// Line is the log line (csvlog: the line a record starts on) of the message
// that produced the event Next returned last.
func (r *Reader) Line() int { return r.line }

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}
