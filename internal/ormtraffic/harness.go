// Package ormtraffic runs real ORM traffic (GORM in-process; Sequelize,
// TypeORM, Django and ActiveRecord as child processes) through the pgrmw
// proxy against a real PostgreSQL, and turns what the ORMs sent into scenario
// fixtures (testdata/orm). It exists to check the analyzer against the SQL
// ORMs really emit, not the SQL we imagine they emit.
package ormtraffic

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/proxy"
	"github.com/pgrmw/pgrmw/rules"
)

// Harness is an in-process pgrmw proxy in front of one database, with the
// default analyzer and every rule, keeping the findings and the events.
type Harness struct {
	Addr string // host:port the proxy listens on

	analyzer *analyzer.Analyzer
	cancel   context.CancelFunc
	done     chan error

	mu       sync.Mutex
	findings []analyzer.Finding
	events   []*analyzer.Event
	started  int
	ended    int
	closed   bool
}

// Start serves a proxy to upstream (a postgres:// URL) on a free loopback port.
func Start(upstream string, cfg analyzer.Config) (*Harness, error) {
	h := &Harness{analyzer: analyzer.New(cfg, rules.All()), done: make(chan error, 1)}
	log := zerolog.Nop()
	if os.Getenv("PGRMW_ORM_DEBUG") != "" {
		log = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).With().Timestamp().Logger()
	}
	p, err := proxy.New(proxy.Config{Upstream: upstream, Observer: h, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("ormtraffic: proxy: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("ormtraffic: listen: %w", err)
	}
	h.Addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- p.Serve(ctx, ln) }()
	return h, nil
}

// Observe feeds the analyzer (the proxy calls it for every event).
func (h *Harness) Observe(ev *analyzer.Event) {
	fs := h.analyzer.Feed(ev)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.findings = append(h.findings, fs...)
	h.events = append(h.events, ev)
	switch ev.Kind {
	case analyzer.EventSessionStart:
		h.started++
	case analyzer.EventSessionEnd:
		h.ended++
	}
}

// URL is a connection URL through the proxy.
func (h *Harness) URL(user, db string) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", user, h.Addr, db)
}

// Quiesce waits (up to timeout) until every session that started has ended,
// so the analyzer has seen all the traffic. Call it after the clients closed
// their connections.
func (h *Harness) Quiesce(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		h.mu.Lock()
		ok := h.ended >= h.started
		h.mu.Unlock()
		if ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Close stops the proxy and returns every finding, including those the
// analyzer only reports at close (sessions still open).
func (h *Harness) Close() []analyzer.Finding {
	h.cancel()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		h.findings = append(h.findings, h.analyzer.Close()...)
	}
	return append([]analyzer.Finding(nil), h.findings...)
}

// Events returns the events seen so far, in the order the analyzer saw them.
func (h *Harness) Events() []*analyzer.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*analyzer.Event(nil), h.events...)
}

// Stats returns the analyzer's counters (panics, unparsable statements).
func (h *Harness) Stats() analyzer.Stats { return h.analyzer.Stats() }

// RulesByApp groups findings' rule ids by the application_name of their
// session, each list sorted: the ORM drivers name one application per case.
func RulesByApp(fs []analyzer.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		out[f.Session.ApplicationName] = append(out[f.Session.ApplicationName], f.Rule)
	}
	for _, rs := range out {
		sort.Strings(rs)
	}
	return out
}
