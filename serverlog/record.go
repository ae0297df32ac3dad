package serverlog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ErrTruncated marks an incomplete last record (a log cut off mid-write):
// a warning, the stream ends there.
var ErrTruncated = errors.New("truncated last record")

// LineError is a malformed record at a line of a file. Reading may go on
// with the next record.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// record is one log message with its detail, whatever the log format.
type record struct {
	line    int // first line (stderr, jsonlog) or record number (csvlog)
	time    time.Time
	pid     string
	session string // %c / session_id; "" when the format does not carry it
	// vxid: the virtual transaction id (%v, csvlog and jsonlog): statements
	// of one transaction, implicit ones included, share it.
	vxid     string
	user     string
	database string
	app      string
	severity string // LOG, ERROR, FATAL, …
	sqlstate string
	message  string
	detail   string
	backend  string // backend_type when known ("client backend")
}

// recordSource yields records in log order.
type recordSource interface {
	next() (*record, error) // io.EOF at the end
}

// ---- stderr ------------------------------------------------------------

type stderrSource struct {
	name    string
	br      *bufio.Reader
	pattern *linePattern
	lineNo  int
	// buffered holds lines read ahead for prefix detection.
	buffered []string
	pending  *record // message whose DETAIL/continuation lines may follow
	last     string  // field the next tab-continuation line belongs to
	eof      bool
}

// maxLogLine bounds one physical log line.
const maxLogLine = 16 << 20

func (s *stderrSource) readLine() (string, error) {
	if len(s.buffered) > 0 {
		l := s.buffered[0]
		s.buffered = s.buffered[1:]
		s.lineNo++
		return l, nil
	}
	l, err := readPhysicalLine(s.br)
	if err != nil {
		return "", err
	}
	s.lineNo++
	return l, nil
}

func readPhysicalLine(br *bufio.Reader) (string, error) {
	b, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), b...)
		for err == bufio.ErrBufferFull && len(long) <= maxLogLine {
			b, err = br.ReadSlice('\n')
			long = append(long, b...)
		}
		b = long
	}
	if len(b) == 0 && err != nil {
		return "", err
	}
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return "", err
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return string(b), nil
}

func (s *stderrSource) next() (*record, error) {
	for {
		if s.eof {
			if r := s.pending; r != nil {
				s.pending = nil
				return r, nil
			}
			return nil, io.EOF
		}
		l, err := s.readLine()
		if err == io.EOF {
			s.eof = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", s.name, s.lineNo+1, err)
		}
		if strings.HasPrefix(l, "\t") {
			// Continuation of a multi-line message, detail or statement:
			// PostgreSQL puts a tab after each newline it writes.
			if s.pending != nil {
				switch s.last {
				case "message":
					s.pending.message += "\n" + l[1:]
				case "detail":
					s.pending.detail += "\n" + l[1:]
				}
			}
			continue
		}
		m := s.pattern.re.FindStringSubmatch(l)
		if m == nil {
			s.last = "" // a line from something else; nothing continues it
			continue
		}
		level := m[s.pattern.level]
		text := m[s.pattern.text]
		switch level {
		case "DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION":
			s.last = ""
			if s.pending != nil && level == "DETAIL" && s.samePending(m) {
				s.pending.detail = text
				s.last = "detail"
			}
			continue
		}
		r := &record{line: s.lineNo, severity: level, message: text}
		if i := s.pattern.time; i > 0 {
			r.time = parseLogTime(m[i], s.pattern.epoch)
		}
		if i := s.pattern.pid; i > 0 {
			r.pid = m[i]
		}
		if i := s.pattern.sess; i > 0 {
			r.session = m[i]
		}
		if i := s.pattern.vxid; i > 0 {
			r.vxid = m[i]
		}
		if i := s.pattern.user; i > 0 {
			r.user = m[i]
		}
		if i := s.pattern.db; i > 0 {
			r.database = m[i]
		}
		if i := s.pattern.app; i > 0 {
			r.app = m[i]
		}
		if i := s.pattern.state; i > 0 {
			r.sqlstate = m[i]
		}
		prev := s.pending
		s.pending = r
		s.last = "message"
		if prev != nil {
			return prev, nil
		}
	}
}

// samePending reports whether a DETAIL line belongs to the pending message
// (same backend), when the prefix lets us tell.
func (s *stderrSource) samePending(m []string) bool {
	if i := s.pattern.sess; i > 0 {
		return m[i] == s.pending.session
	}
	if i := s.pattern.pid; i > 0 {
		return m[i] == s.pending.pid
	}
	return true
}

// detectPrefix picks the known (or given) prefix that matches most of the
// first lines.
func detectPrefix(lines []string, candidates []string) (*linePattern, error) {
	var best *linePattern
	bestScore := 0
	for _, c := range candidates {
		p, err := compilePrefix(c)
		if err != nil {
			return nil, err
		}
		score := 0
		for _, l := range lines {
			if m := p.re.FindStringSubmatch(l); m != nil {
				score += 2
				// Prefer patterns whose session fields actually parse.
				if p.sess > 0 || p.pid > 0 {
					score++
				}
			}
		}
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	if best == nil {
		return nil, errors.New("no line matches a known log_line_prefix (pass the server's log_line_prefix)")
	}
	return best, nil
}

// parseLogTime parses %m/%t ("2026-01-02 03:04:05.678 UTC") and %n (epoch).
func parseLogTime(s string, epoch bool) time.Time {
	if epoch {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	}
	sp := strings.LastIndexByte(s, ' ')
	if sp < 0 {
		return time.Time{}
	}
	clock, zone := s[:sp], s[sp+1:]
	t, err := time.Parse("2006-01-02 15:04:05.999999999", clock)
	if err != nil {
		return time.Time{}
	}
	return t.Add(-zoneOffset(zone)).UTC()
}

// zoneOffset understands numeric zones ("+03", "-0530") and UTC/GMT; other
// abbreviations are read as UTC (times then keep their order and spacing,
// which is all the analysis needs). Set log_timezone = 'UTC' to avoid this.
func zoneOffset(z string) time.Duration {
	if len(z) >= 3 && (z[0] == '+' || z[0] == '-') {
		h, err := strconv.Atoi(z[1:3])
		if err != nil {
			return 0
		}
		m := 0
		rest := strings.TrimPrefix(z[3:], ":")
		if len(rest) >= 2 {
			m, _ = strconv.Atoi(rest[:2])
		}
		d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
		if z[0] == '-' {
			d = -d
		}
		return d
	}
	return 0
}

// ---- csvlog ------------------------------------------------------------

// csvlog columns (PostgreSQL 13–17; later columns are optional).
const (
	csvTime = iota
	csvUser
	csvDatabase
	csvPID
	csvConnFrom
	csvSession
	csvLineNum
	csvCommandTag
	csvSessionStart
	csvVXID
	csvXID
	csvSeverity
	csvState
	csvMessage
	csvDetail
	csvHint
	csvInternalQuery
	csvInternalQueryPos
	csvContext
	csvQuery
	csvQueryPos
	csvLocation
	csvApp
	csvBackendType
	csvMinFields = csvApp + 1
)

type csvSource struct {
	name string
	r    *csv.Reader
	n    int
	// ahead is a record read past a malformed one (to tell a malformed
	// record in the middle from one cut off at the end).
	ahead     []string
	aheadLine int
}

func newCSVSource(name string, r io.Reader) *csvSource {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvSource{name: name, r: cr}
}

func (s *csvSource) next() (*record, error) {
	var f []string
	var err error
	line := 0
	if s.ahead != nil {
		f, line, s.ahead = s.ahead, s.aheadLine, nil
	} else {
		f, err = s.r.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err == nil {
			line, _ = s.r.FieldPos(0)
		}
	}
	s.n++
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: csvlog: %w", s.name, err)
		}
		next, nextErr := s.r.Read()
		if nextErr == io.EOF {
			return nil, &LineError{File: s.name, Line: pe.StartLine, Err: ErrTruncated}
		}
		if nextErr == nil {
			s.aheadLine, _ = s.r.FieldPos(0)
			s.ahead = append([]string(nil), next...) // ReuseRecord
		}
		return nil, &LineError{File: s.name, Line: pe.StartLine, Err: fmt.Errorf("csvlog: %w", pe.Err)}
	}
	if len(f) < csvMinFields {
		return nil, &LineError{File: s.name, Line: line, Err: fmt.Errorf("csvlog record has %d fields, want at least %d", len(f), csvMinFields)}
	}
	r := &record{
		line: line, time: parseLogTime(f[csvTime], false), pid: f[csvPID], session: f[csvSession],
		vxid: f[csvVXID], user: f[csvUser], database: f[csvDatabase], app: f[csvApp], severity: f[csvSeverity],
		sqlstate: f[csvState], message: f[csvMessage], detail: f[csvDetail],
	}
	if len(f) > csvBackendType {
		r.backend = f[csvBackendType]
	}
	return r, nil
}

// ---- jsonlog -----------------------------------------------------------

type jsonRecord struct {
	Timestamp   string `json:"timestamp"`
	User        string `json:"user"`
	DBName      string `json:"dbname"`
	PID         int    `json:"pid"`
	SessionID   string `json:"session_id"`
	VXID        string `json:"vxid"`
	Severity    string `json:"error_severity"`
	State       string `json:"state_code"`
	Message     string `json:"message"`
	Detail      string `json:"detail"`
	Application string `json:"application_name"`
	BackendType string `json:"backend_type"`
}

type jsonSource struct {
	name string
	br   *bufio.Reader
	n    int
}

func (s *jsonSource) next() (*record, error) {
	for {
		l, err := readPhysicalLine(s.br)
		if err == io.EOF {
			return nil, io.EOF
		}
		s.n++
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", s.name, s.n, err)
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		var j jsonRecord
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			if _, peekErr := s.br.Peek(1); peekErr == io.EOF {
				// The server (or a copy) stopped mid-line.
				return nil, &LineError{File: s.name, Line: s.n, Err: ErrTruncated}
			}
			return nil, &LineError{File: s.name, Line: s.n, Err: fmt.Errorf("jsonlog: %w", err)}
		}
		return &record{
			line: s.n, time: parseLogTime(j.Timestamp, false), pid: strconv.Itoa(j.PID),
			session: j.SessionID, vxid: j.VXID, user: j.User, database: j.DBName, app: j.Application,
			severity: j.Severity, sqlstate: j.State, message: j.Message, detail: j.Detail,
			backend: j.BackendType,
		}, nil
	}
}
