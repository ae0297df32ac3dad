package pipeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
)

// FindingSink receives every finding the live analyzer produces. It writes
// each occurrence to the findings file (one JSON object per line), and logs
// the first occurrence of each fingerprint at warning level; later ones are
// only counted and summarised periodically, so a hot code path cannot flood
// the log.
type FindingSink struct {
	log zerolog.Logger

	mu       sync.Mutex
	file     *os.File
	buf      *bufio.Writer
	seen     map[string]*fingerprintCount
	onRecord []func(analyzer.Finding)
	total    uint64
	stop     chan struct{}
	stopped  chan struct{}
	writeErr error
}

type fingerprintCount struct {
	rule          string
	table         string
	total         uint64
	sinceReported uint64
}

// SummaryInterval is how often repeated findings are summarised in the log.
const SummaryInterval = time.Minute

// NewFindingSink opens path for appending when it is not empty.
func NewFindingSink(log zerolog.Logger, path string) (*FindingSink, error) {
	s := &FindingSink{log: log, seen: map[string]*fingerprintCount{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("findings file: %w", err)
		}
		s.file = f
		s.buf = bufio.NewWriterSize(f, 64<<10)
	}
	go s.summarise()
	return s, nil
}

// OnRecord registers a hook called for each finding (metrics, live report).
func (s *FindingSink) OnRecord(fn func(analyzer.Finding)) {
	s.mu.Lock()
	s.onRecord = append(s.onRecord, fn)
	s.mu.Unlock()
}

// Record handles findings from one Feed call.
func (s *FindingSink) Record(findings []analyzer.Finding) {
	if len(findings) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range findings {
		f := &findings[i]
		s.total++
		for _, fn := range s.onRecord {
			fn(*f)
		}
		if s.buf != nil {
			line, err := json.Marshal(f)
			if err == nil {
				s.buf.Write(line)
				err = s.buf.WriteByte('\n')
			}
			if err == nil {
				// Flush per batch: a killed proxy must not lose findings
				// already reported in the log.
				err = s.buf.Flush()
			}
			if err != nil && s.writeErr == nil {
				s.writeErr = err
				s.log.Error().Err(err).Msg("writing findings file failed; later findings go to the log only")
			}
		}
		c := s.seen[f.Fingerprint]
		if c == nil {
			c = &fingerprintCount{rule: f.Rule, table: f.Table}
			s.seen[f.Fingerprint] = c
			ev := s.log.Warn()
			if f.Severity == analyzer.SeverityError {
				ev = s.log.Error()
			}
			ev.Str("rule", f.Rule).Str("severity", f.Severity.String()).
				Str("session", f.Session.ID).Str("application_name", f.Session.ApplicationName).
				Str("table", f.Table).Strs("columns", f.Columns).Str("fingerprint", f.Fingerprint).
				Str("action", f.Action).Str("fix", f.Fix).Msg(f.Message)
		} else {
			c.sinceReported++
		}
		c.total++
	}
}

// Total is the number of findings recorded.
func (s *FindingSink) Total() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func (s *FindingSink) summarise() {
	defer close(s.stopped)
	t := time.NewTicker(SummaryInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.logRepeats()
		case <-s.stop:
			s.logRepeats()
			return
		}
	}
}

func (s *FindingSink) logRepeats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for fp, c := range s.seen {
		if c.sinceReported == 0 {
			continue
		}
		s.log.Info().Str("rule", c.rule).Str("table", c.table).Str("fingerprint", fp).
			Uint64("new_occurrences", c.sinceReported).Uint64("total", c.total).
			Msg("finding seen again")
		c.sinceReported = 0
	}
}

// Close flushes and closes the findings file.
func (s *FindingSink) Close() error {
	close(s.stop)
	<-s.stopped
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.buf.Flush()
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("findings file: %w", err)
	}
	return nil
}
