package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/analyzer/sqltext"
	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/serverlog"
)

// Engine is the analysis the events go through: an *analyzer.Analyzer with
// its rules. It is an interface so the driver can be tested on its own.
type Engine interface {
	Feed(ev *analyzer.Event) []analyzer.Finding
	Close() []analyzer.Finding
}

// RuleInfo is what the driver needs to know about a rule: its identity and
// docs for SARIF, and whether it needs server responses.
type RuleInfo struct {
	ID           string
	Name         string
	Severity     analyzer.Severity
	Doc          string // markdown, first line is the title
	NeedsResults bool
}

// Options configure Collect.
type Options struct {
	// NewEngine builds the analysis for one stream of events; hasResults is
	// false for server logs (no rows, no tags). Required to read captures
	// and server logs.
	NewEngine func(hasResults bool) (Engine, error)
	// Rules describe the rules the engine runs (for SARIF metadata and for
	// saying which rules could not run).
	Rules []RuleInfo
	// KeepGoing turns a malformed line in the middle of an input into a
	// warning instead of an error.
	KeepGoing bool
	// LinePrefix is the log_line_prefix of stderr logs when not one of the
	// recognised ones.
	LinePrefix string
	// Stdin is read for the input "-" (default os.Stdin).
	Stdin io.Reader
}

// Location is where a finding's write statement was seen.
type Location struct {
	Input string // path as given
	Line  int    // 0 when unknown
}

// InputStats describes one input after reading.
type InputStats struct {
	Path     string    `json:"path"`
	Kind     InputKind `json:"-"`
	KindName string    `json:"kind"`
	Events   int64     `json:"events"`
	Findings int       `json:"findings"`
}

// SkippedRule is a rule that could not run (fully) for lack of data.
type SkippedRule struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Result is what Collect found.
type Result struct {
	Findings  []analyzer.Finding
	Locations []Location // Locations[i] is where Findings[i] was seen
	Inputs    []InputStats
	Warnings  []string // truncated last lines, skipped malformed lines (KeepGoing)
	Skipped   []SkippedRule
	Events    int64
	Elapsed   time.Duration
}

// InputError is a problem with an input (unreadable, unrecognised, a
// malformed line): lint exits 2 for it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// batchSize events travel together from the reading goroutine to the
// analysis, so the channel costs little per event.
const batchSize = 512

type item struct {
	ev   *analyzer.Event
	line int
}

type batch struct {
	in       int // index into inputs
	items    []item
	findings []analyzer.Finding // from findings files
	warn     string
	err      error // fatal input error
}

// Collect reads every input, runs the events through the engine and returns
// the findings. Reading (decoding JSON, parsing logs) runs in its own
// goroutine, so decoding and analysis use two cores. Inputs of the same kind
// of stream share one engine (cross-session rules see all sessions);
// captures and server logs get separate engines.
func Collect(ctx context.Context, paths []string, opts Options) (*Result, error) {
	start := time.Now()
	if len(paths) == 0 {
		return nil, &InputError{errors.New("no input files (use - for standard input)")}
	}
	ins, err := openInputs(paths, opts.Stdin)
	if err != nil {
		return nil, &InputError{err}
	}
	defer func() {
		for _, in := range ins {
			in.Close()
		}
	}()
	res := &Result{}
	sawLog := false
	for _, in := range ins {
		res.Inputs = append(res.Inputs, InputStats{Path: in.path, Kind: in.kind, KindName: in.kind.String()})
		if in.kind.IsServerLog() {
			sawLog = true
		}
		if in.kind != KindFindings && opts.NewEngine == nil {
			return nil, errors.New("lint: no analysis engine configured")
		}
	}
	if sawLog {
		for _, r := range opts.Rules {
			if r.NeedsResults {
				res.Skipped = append(res.Skipped, SkippedRule{ID: r.ID, Name: r.Name,
					Reason: "server logs carry no result rows or command tags"})
			}
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 8)
	go produce(ctx, ins, opts, batches)

	engines := map[bool]Engine{} // by hasResults
	var ring locationRing
	ring.init()
	addFindings := func(in int, fs []analyzer.Finding, line int) {
		for _, f := range fs {
			loc := Location{Input: ins[in].path, Line: line}
			if l, ok := ring.lookup(f); ok {
				loc = l
			}
			res.Findings = append(res.Findings, f)
			res.Locations = append(res.Locations, loc)
			res.Inputs[in].Findings++
		}
	}
	lastInput := map[bool]int{}
	logged := make([]loggedStatements, len(ins))
	var fatal error
	for b := range batches {
		if fatal != nil {
			continue // drain so the producer can finish
		}
		if b.err != nil {
			fatal = &InputError{b.err}
			cancel()
			continue
		}
		if b.warn != "" {
			res.Warnings = append(res.Warnings, b.warn)
		}
		if b.findings != nil {
			addFindings(b.in, b.findings, 0)
			continue
		}
		if len(b.items) == 0 {
			continue
		}
		hasResults := !ins[b.in].kind.IsServerLog()
		eng := engines[hasResults]
		if eng == nil {
			e, err := opts.NewEngine(hasResults)
			if err != nil {
				fatal = fmt.Errorf("lint: analysis: %w", err)
				cancel()
				continue
			}
			eng, engines[hasResults] = e, e
		}
		lastInput[hasResults] = b.in
		for _, it := range b.items {
			if it.ev.Kind == analyzer.EventQuery || it.ev.Kind == analyzer.EventExecute || it.ev.Kind == analyzer.EventParse {
				ring.add(it.ev, Location{Input: ins[b.in].path, Line: it.line})
			}
			if !hasResults {
				logged[b.in].count(it.ev)
			}
			if fs := eng.Feed(it.ev); len(fs) > 0 {
				addFindings(b.in, fs, it.line)
			}
		}
		res.Inputs[b.in].Events += int64(len(b.items))
		res.Events += int64(len(b.items))
	}
	if fatal != nil {
		return nil, fatal
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, hasResults := range []bool{true, false} {
		if eng := engines[hasResults]; eng != nil {
			addFindings(lastInput[hasResults], eng.Close(), 0)
		}
	}
	for i, in := range ins {
		if in.kind.IsServerLog() {
			if w := logged[i].warning(in.path); w != "" {
				res.Warnings = append(res.Warnings, w)
			}
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// loggedStatements counts what a server log shows, to tell a log that
// cannot reveal a read-modify-write (statement logging off, or 'mod' or
// 'ddl', which leave the reads out) from one that has nothing to report:
// both would otherwise pass lint silently.
type loggedStatements struct{ reads, writes, other int }

func (l *loggedStatements) count(ev *analyzer.Event) {
	if ev.Kind != analyzer.EventQuery && ev.Kind != analyzer.EventParse {
		return
	}
	switch strings.ToLower(sqltext.FirstWord(ev.SQL)) {
	case "select", "with", "table", "values":
		l.reads++
	case "update", "insert", "merge", "delete":
		l.writes++
	default:
		l.other++
	}
}

func (l *loggedStatements) warning(path string) string {
	switch {
	case l.reads+l.writes+l.other == 0:
		return fmt.Sprintf("%s: the server log shows no statements: set log_statement = 'all' (or log_min_duration_statement = 0) to have traffic to check", path)
	case l.writes > 0 && l.reads == 0:
		return fmt.Sprintf("%s: the server log shows %d writes and no reads: if log_statement is 'mod' or 'ddl', SELECTs are left out and no read-modify-write can be seen; set log_statement = 'all'", path, l.writes)
	}
	return ""
}

// produce reads the inputs in order and sends their events in batches.
func produce(ctx context.Context, ins []*input, opts Options, out chan<- batch) {
	defer close(out)
	send := func(b batch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for i, in := range ins {
		if in.kind == KindFindings {
			var fs []analyzer.Finding
			err := readFindings(in.br, func(f analyzer.Finding) { fs = append(fs, f) })
			if err != nil {
				send(batch{in: i, err: fmt.Errorf("%s: %w", in.path, err)})
				return
			}
			if fs == nil {
				fs = []analyzer.Finding{}
			}
			if !send(batch{in: i, findings: fs}) {
				return
			}
			continue
		}
		next, lineOf, err := eventSource(in, opts)
		if err != nil {
			send(batch{in: i, err: err})
			return
		}
		items := make([]item, 0, batchSize)
		for {
			ev, err := next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var le *capture.LineError
				var sle *serverlog.LineError
				lineErr := errors.As(err, &le) || errors.As(err, &sle)
				switch {
				case errors.Is(err, capture.ErrTruncated) || errors.Is(err, serverlog.ErrTruncated):
					send(batch{in: i, warn: err.Error() + ": ignored"})
					continue // next returns io.EOF now
				case lineErr && opts.KeepGoing:
					send(batch{in: i, warn: err.Error() + " (skipped: --keep-going)"})
					continue
				case lineErr:
					send(batch{in: i, err: fmt.Errorf("%w (use --keep-going to skip malformed lines)", err)})
					return
				case opts.KeepGoing:
					send(batch{in: i, warn: fmt.Sprintf("%s: %v (rest of the file skipped: --keep-going)", in.path, err)})
				default:
					send(batch{in: i, err: err})
					return
				}
				break
			}
			items = append(items, item{ev: ev, line: lineOf()})
			if len(items) == batchSize {
				if !send(batch{in: i, items: items}) {
					return
				}
				items = make([]item, 0, batchSize)
			}
		}
		if len(items) > 0 && !send(batch{in: i, items: items}) {
			return
		}
	}
}

// eventSource returns the event iterator of a capture or server log.
func eventSource(in *input, opts Options) (func() (*analyzer.Event, error), func() int, error) {
	name := in.path
	if name == StdinName {
		name = "<stdin>"
	}
	if in.kind == KindCapture {
		r, err := capture.NewReader(in.br, name)
		if err != nil {
			return nil, nil, err
		}
		return r.Next, r.Line, nil
	}
	r, err := serverlog.NewReader(in.br, name, serverlog.Options{LinePrefix: opts.LinePrefix})
	if err != nil {
		return nil, nil, err
	}
	return r.Next, r.Line, nil
}

// locationRing remembers where recent statements were seen, to point a
// finding at its write statement's line. Bounded: older statements are
// forgotten and their findings point at the line that produced them.
type locationRing struct {
	keys []string
	next int
	locs map[string]Location
}

const ringSize = 1 << 14

func (r *locationRing) init() {
	r.keys = make([]string, ringSize)
	r.locs = make(map[string]Location, ringSize)
}

func locationKey(session string, t time.Time) string {
	return session + "\x00" + strconv.FormatInt(t.UnixNano(), 36)
}

func (r *locationRing) add(ev *analyzer.Event, loc Location) {
	k := locationKey(ev.Session, ev.Time)
	if _, ok := r.locs[k]; ok {
		return // keep the first event of a statement (Parse before Execute)
	}
	if old := r.keys[r.next]; old != "" {
		delete(r.locs, old)
	}
	r.keys[r.next] = k
	r.next = (r.next + 1) % ringSize
	r.locs[k] = loc
}

// lookup finds the write statement's location (the last "write" statement,
// else the last statement).
func (r *locationRing) lookup(f analyzer.Finding) (Location, bool) {
	for _, role := range []string{"write", ""} {
		for i := len(f.Statements) - 1; i >= 0; i-- {
			s := f.Statements[i]
			if role != "" && s.Role != role {
				continue
			}
			sess := s.Session
			if sess == "" {
				sess = f.Session.ID
			}
			if loc, ok := r.locs[locationKey(sess, s.Time)]; ok {
				return loc, true
			}
		}
	}
	return Location{}, false
}
