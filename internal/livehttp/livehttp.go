// Package livehttp is the proxy's --http endpoint: Prometheus metrics at
// /metrics, a liveness probe at /healthz, and at / the HTML report of what
// this proxy has found so far (/report.md for the Markdown form).
//
// It reads the proxy and the analyzer through getter functions returning its
// own small structs, so it depends on neither package: the command maps
// proxy.Stats and the analyzer's stats onto ProxyStats and AnalyzerStats.
// Findings arrive through RecordFinding (e.g. FindingSink.OnRecord) and
// analysis timings through ObserveAnalysisLatency.
package livehttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/report"
)

// ProxyStats is what the live view reads from the proxy. Every field but
// SessionsOpen is cumulative since start.
type ProxyStats struct {
	SessionsOpen     int64
	SessionsTotal    int64
	SessionsRefused  int64
	BytesFromClients int64
	BytesFromServers int64
	EventsEmitted    int64
	// EventsDropped counts events not analysed because analysis fell behind
	// (log mode never stalls traffic; it drops and counts instead).
	EventsDropped int64
	// WritesBlocked counts statements refused in block mode.
	WritesBlocked int64
	// RelayBuffers is the number of relay buffers (32 KiB each) sessions
	// hold now; idle sessions hold none.
	RelayBuffers int64
}

// AnalyzerStats is what the live view reads from the analyzer; cumulative.
// Field types follow analyzer.Stats so the mapping is one line per field.
type AnalyzerStats struct {
	EventsAnalyzed uint64
	// Statements analysed (each a cache lookup).
	Statements uint64
	// StatementsParsed counts pg_query parses.
	StatementsParsed     uint64
	StatementCacheHits   uint64
	StatementCacheMisses uint64
	ParseErrors          uint64
	// AnalysisPanics counts recovered panics (traffic failed open).
	AnalysisPanics uint64
}

// Sources are the getters the server calls on each scrape; nil ones read as
// zero.
type Sources struct {
	Proxy    func() ProxyStats
	Analyzer func() AnalyzerStats
	// Healthy, when set, makes /healthz answer 503 with its error.
	Healthy func() error
}

// KnownRule pre-creates a findings series at zero, so rate() works from the
// first finding on.
type KnownRule struct {
	ID       string
	Severity analyzer.Severity
}

// Options configure a Server.
type Options struct {
	// Addr to listen on for Start, e.g. "127.0.0.1:9187".
	Addr    string
	Sources Sources
	Rules   []KnownRule
	// Report titles the / page and supplies rule docs.
	Report report.Options
	// MaxGroups bounds the distinct fingerprints kept for the / page
	// (default 5000); further ones are still counted in /metrics.
	MaxGroups int
	Logger    zerolog.Logger
}

// LatencyBuckets span 10µs to about 0.65s: per-event analysis is expected in
// the tens of microseconds; the top buckets catch stalls.
var LatencyBuckets = prometheus.ExponentialBuckets(10e-6, 4, 9)

// Server serves the live view. Its methods are safe for concurrent use.
type Server struct {
	opts     Options
	registry *prometheus.Registry
	findings *prometheus.CounterVec
	latency  prometheus.Histogram
	handler  http.Handler
	started  time.Time

	mu            sync.Mutex
	grouper       *report.Grouper
	groups        map[string]bool
	groupsDropped int64

	httpServer *http.Server
	listener   net.Listener
	serveErr   chan error
}

// New builds the server and its metrics registry. Start serves it on
// opts.Addr; Handler serves it anywhere.
func New(opts Options) *Server {
	if opts.MaxGroups <= 0 {
		opts.MaxGroups = 5000
	}
	if opts.Report.Title == "" {
		opts.Report.Title = "pgrmw live view"
	}
	s := &Server{
		opts:     opts,
		registry: prometheus.NewRegistry(),
		started:  time.Now(),
		grouper:  report.NewGrouper(),
		groups:   map[string]bool{},
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pgrmw_findings_total", Help: "Findings produced, by rule and severity.",
		}, []string{"rule", "severity"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "pgrmw_analysis_latency_seconds", Help: "Time to analyse one event.", Buckets: LatencyBuckets,
		}),
	}
	for _, r := range opts.Rules {
		s.findings.WithLabelValues(r.ID, r.Severity.String())
	}
	s.registry.MustRegister(s.findings, s.latency, &statsCollector{s: s})
	// Runtime and process series, prefixed like ours so every series the
	// endpoint serves starts with pgrmw_.
	prefixed := prometheus.WrapRegistererWithPrefix("pgrmw_", s.registry)
	prefixed.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog: promLogger{opts.Logger}, ErrorHandling: promhttp.ContinueOnError,
	}))
	mux.HandleFunc("GET /healthz", s.serveHealth)
	mux.HandleFunc("GET /report.md", s.serveMarkdown)
	mux.HandleFunc("GET /{$}", s.serveHTML)
	s.handler = securityHeaders(mux)
	return s
}

// Handler serves /metrics, /healthz, / and /report.md.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry exposes the metrics registry (tests, extra collectors).
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// RecordFinding counts a finding and adds it to the / report.
func (s *Server) RecordFinding(f analyzer.Finding) {
	s.findings.WithLabelValues(f.Rule, f.Severity.String()).Inc()
	key := f.Fingerprint
	if key == "" {
		key = f.Rule + "\x00" + f.Table + "\x00" + f.Message
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.groups[key] {
		if len(s.groups) >= s.opts.MaxGroups {
			s.groupsDropped++
			return
		}
		s.groups[key] = true
	}
	s.grouper.Add(f)
}

// ObserveAnalysisLatency records how long analysing one event took.
func (s *Server) ObserveAnalysisLatency(d time.Duration) {
	s.latency.Observe(d.Seconds())
}

// Start listens on Options.Addr and serves in the background. A listen
// error (port taken, bad address) is returned at once.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("live view: listen %s: %w", s.opts.Addr, err)
	}
	s.listener = ln
	s.httpServer = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	s.serveErr = make(chan error, 1)
	go func() {
		err := s.httpServer.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		if err != nil {
			s.opts.Logger.Error().Err(err).Msg("live view stopped")
		}
		s.serveErr <- err
	}()
	s.opts.Logger.Info().Str("addr", ln.Addr().String()).Msg("live view: /metrics, /healthz, / (findings report)")
	return nil
}

// Addr is where Start listens; nil before Start.
func (s *Server) Addr() net.Addr {
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Shutdown stops serving, letting requests in flight finish until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.httpServer == nil {
		return nil
	}
	if err := s.httpServer.Shutdown(ctx); err != nil {
		return fmt.Errorf("live view: shutdown: %w", err)
	}
	return <-s.serveErr
}

func (s *Server) groupsSnapshot() []report.Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grouper.Groups()
}

func (s *Server) reportOptions() report.Options {
	o := s.opts.Report
	o.Source = "live since " + s.started.UTC().Format("2006-01-02 15:04:05Z")
	s.mu.Lock()
	if s.groupsDropped > 0 {
		o.Source += fmt.Sprintf(" (%d findings of further problems not listed: over %d distinct)", s.groupsDropped, s.opts.MaxGroups)
	}
	s.mu.Unlock()
	return o
}

func (s *Server) serveHTML(w http.ResponseWriter, r *http.Request) {
	s.render(w, "text/html; charset=utf-8", report.HTML)
}

func (s *Server) serveMarkdown(w http.ResponseWriter, r *http.Request) {
	s.render(w, "text/markdown; charset=utf-8", report.Markdown)
}

func (s *Server) render(w http.ResponseWriter, contentType string, fn func(io.Writer, []report.Group, report.Options) error) {
	var buf bytes.Buffer
	if err := fn(&buf, s.groupsSnapshot(), s.reportOptions()); err != nil {
		s.opts.Logger.Error().Err(err).Msg("live view: render report")
		http.Error(w, "report failed; see the proxy log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes()) // a client gone mid-response is not our error
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.opts.Sources.Healthy != nil {
		if err := s.opts.Sources.Healthy(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unhealthy: %v\n", err)
			return
		}
	}
	fmt.Fprintln(w, "ok")
}

// securityHeaders: the report holds client-controlled SQL; it also carries
// its own CSP, this repeats it for the whole endpoint.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// promLogger routes promhttp's errors to zerolog.
type promLogger struct{ log zerolog.Logger }

func (l promLogger) Println(v ...any) { l.log.Error().Msg(fmt.Sprint(v...)) }
