package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/internal/livehttp"
	"github.com/pgrmw/pgrmw/internal/pipeline"
	"github.com/pgrmw/pgrmw/proxy"
	"github.com/pgrmw/pgrmw/report"
	"github.com/pgrmw/pgrmw/rules"
)

// liveOptions say how a running proxy analyses what it relays.
type liveOptions struct {
	Config        analyzer.Config
	Mode          string // "log" or "block"
	FindingsPath  string
	CapturePath   string
	CaptureValues string
	CaptureKey    []byte
	CaptureRotate int64
	HTTPAddr      string
	QueueSize     int
	// NoAnalysis relays (and captures) without analysing: to measure what
	// analysis costs, or to capture now and lint later.
	NoAnalysis bool
	Logger     zerolog.Logger
}

// live is the analysis side of a running proxy: the one analyzer fed by the
// proxy's event stream, where its findings go, and the capture beside it.
type live struct {
	opts     liveOptions
	analyzer *analyzer.Analyzer
	sink     *pipeline.FindingSink
	async    *pipeline.Async // log mode
	block    *pipeline.Block // block mode
	gate     proxy.Gate
	capture  *capture.Writer
	http     *livehttp.Server
	observer analyzer.Observer
	proxy    atomic.Pointer[proxy.Proxy] // for the live view's counters, once the proxy exists
}

// analysisObserver feeds the analyzer and hands its findings on.
type analysisObserver struct {
	a       *analyzer.Analyzer
	sink    *pipeline.FindingSink
	latency func(time.Duration)
}

func (o *analysisObserver) Observe(ev *analyzer.Event) {
	start := time.Now()
	findings := o.a.Feed(ev)
	if o.latency != nil {
		o.latency(time.Since(start))
	}
	o.sink.Record(findings)
}

func startLive(opts liveOptions) (*live, error) {
	if opts.Mode == "" {
		opts.Mode = "log"
	}
	if opts.Mode != "log" && opts.Mode != "block" {
		return nil, fmt.Errorf("--mode %q: want log or block", opts.Mode)
	}
	if opts.Mode == "block" {
		if opts.NoAnalysis {
			return nil, errors.New("--mode block needs analysis (drop --analysis=false)")
		}
		opts.Config.DefaultAction = "block"
	} else {
		for rule, action := range opts.Config.Actions {
			if action == "block" {
				opts.Logger.Warn().Str("rule", rule).Msg("the config's action block takes effect with --mode block only; in log mode nothing is refused")
			}
		}
	}
	l := &live{opts: opts}
	analysisLog := opts.Logger.With().Str("component", "analyzer").Logger()
	sink, err := pipeline.NewFindingSink(analysisLog, opts.FindingsPath)
	if err != nil {
		return nil, err
	}
	l.sink = sink
	if opts.Mode == "block" {
		l.block = pipeline.NewBlock(opts.Config, rules.All(), sink, analysisLog)
		l.analyzer = l.block.Analyzer()
	} else {
		l.analyzer = analyzer.New(opts.Config, rules.All())
	}
	if opts.CapturePath != "" {
		w, err := capture.Create(opts.CapturePath, capture.Options{Values: opts.CaptureValues, Key: opts.CaptureKey, RotateBytes: opts.CaptureRotate})
		if err != nil {
			sink.Close()
			return nil, fmt.Errorf("capture: %w", err)
		}
		l.capture = w
	}
	var latency func(time.Duration)
	if opts.HTTPAddr != "" {
		l.http = livehttp.New(livehttp.Options{
			Addr:    opts.HTTPAddr,
			Sources: livehttp.Sources{Proxy: l.proxyStats, Analyzer: l.analyzerStats},
			Rules:   knownRules(),
			Report:  report.Options{Title: "pgrmw live view", Docs: ruleDoc},
			Logger:  opts.Logger.With().Str("component", "http").Logger(),
		})
		sink.OnRecord(l.http.RecordFinding)
		latency = l.http.ObserveAnalysisLatency
		if err := l.http.Start(); err != nil {
			l.Close()
			return nil, fmt.Errorf("--http: %w", err)
		}
	}
	if l.block != nil {
		// The verdict must exist before the write is forwarded, so block
		// mode analyses on the relay goroutine (pipeline.Block is both the
		// proxy's Observer and its Gate); the capture is written in the
		// same order as the analysis.
		consumers := pipeline.Fanout{timedObserver{l.block, latency}}
		if l.capture != nil {
			consumers = append(consumers, l.capture)
		}
		l.observer = consumers
		l.gate = l.block
	} else {
		var consumers pipeline.Fanout
		if !opts.NoAnalysis {
			consumers = append(consumers, &analysisObserver{a: l.analyzer, sink: sink, latency: latency})
		}
		if l.capture != nil {
			consumers = append(consumers, l.capture)
		}
		if len(consumers) > 0 {
			l.async = pipeline.NewAsync(consumers, opts.QueueSize)
			l.observer = l.async
		}
	}
	return l, nil
}

// attach wires the analysis into a proxy configuration.
func (l *live) attach(cfg *proxy.Config) {
	if l.observer != nil {
		cfg.Observer = l.observer
	}
	if l.gate != nil {
		cfg.Gate = l.gate
	}
}

// timedObserver feeds the analysis latency histogram in block mode.
type timedObserver struct {
	next    analyzer.Observer
	latency func(time.Duration)
}

func (o timedObserver) Observe(ev *analyzer.Event) {
	if o.latency == nil {
		o.next.Observe(ev)
		return
	}
	start := time.Now()
	o.next.Observe(ev)
	o.latency(time.Since(start))
}

func (l *live) proxyStats() livehttp.ProxyStats {
	var ps livehttp.ProxyStats
	if p := l.proxy.Load(); p != nil {
		st := p.Stats()
		ps = livehttp.ProxyStats{
			SessionsOpen: st.SessionsOpen, SessionsTotal: st.SessionsTotal, SessionsRefused: st.SessionsRefused,
			BytesFromClients: st.BytesFromClients, BytesFromServers: st.BytesFromServers, EventsEmitted: st.EventsEmitted,
			RelayBuffers: st.RelayBuffers,
		}
	}
	if l.async != nil {
		ps.EventsDropped = int64(l.async.Dropped())
	}
	if l.block != nil {
		ps.WritesBlocked = int64(l.block.Blocked())
	}
	return ps
}

func (l *live) analyzerStats() livehttp.AnalyzerStats {
	st := l.analyzer.Stats()
	return livehttp.AnalyzerStats{
		EventsAnalyzed: st.Events, Statements: st.Statements, StatementsParsed: st.StatementsParsed,
		StatementCacheHits: st.CacheHits, StatementCacheMisses: st.CacheMisses, ParseErrors: st.ParseErrors,
		AnalysisPanics: st.Panics,
	}
}

// Close drains the queue, lets the analyzer finish open sessions (findings
// that only end of stream decides), and closes the files.
func (l *live) Close() error {
	var errs []error
	if l.async != nil {
		l.async.Close()
		if d := l.async.Dropped(); d > 0 {
			l.opts.Logger.Warn().Uint64("events_dropped", d).Msg("analysis fell behind; some events were not analysed")
		}
	}
	l.sink.Record(l.analyzer.Close())
	if l.capture != nil {
		if err := l.capture.Close(); err != nil {
			errs = append(errs, fmt.Errorf("capture: %w", err))
		}
	}
	if err := l.sink.Close(); err != nil {
		errs = append(errs, err)
	}
	if l.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("--http: %w", err))
		}
	}
	return errors.Join(errs...)
}

func knownRules() []livehttp.KnownRule {
	var out []livehttp.KnownRule
	for _, r := range rules.All() {
		out = append(out, livehttp.KnownRule{ID: r.ID, Severity: r.Severity})
	}
	return out
}

// analysisFlags are the proxy's flags about what it does with the traffic.
func analysisFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "mode", Value: "log", Usage: "log: report findings, never delay traffic; block: refuse writes whose rule action is block (all rules unless the config says otherwise)"},
		&cli.StringFlag{Name: "config", Usage: "config `file` (rules, severities, actions, window); default: pgrmw.yaml in the working directory when present"},
		&cli.StringFlag{Name: "findings", Usage: "append every finding to `FILE`, one JSON object per line"},
		&cli.StringFlag{Name: "capture", Usage: "record the event stream to `FILE` (JSON Lines) for `pgrmw lint`"},
		&cli.StringFlag{Name: "capture-values", Value: "hash", Usage: "values in the capture: hash (keyed hash, equal values stay equal), raw or none"},
		&cli.StringFlag{Name: "capture-key", EnvVars: []string{"PGRMW_CAPTURE_KEY"}, Usage: "hex or text key for --capture-values hash (default: random per capture)"},
		&cli.Int64Flag{Name: "capture-rotate-size", Usage: "start a new capture part after this many `BYTES` (0: never)"},
		&cli.StringFlag{Name: "http", Usage: "serve /metrics, /healthz and a live report on `host:port` (e.g. 127.0.0.1:9187)"},
		&cli.BoolFlag{Name: "analysis", Value: true, Usage: "analyse traffic (--analysis=false relays and captures only)"},
		&cli.IntFlag{Name: "analysis-queue", Value: 65536, Usage: "log mode: events that may wait for analysis before new ones are dropped (and counted)"},
	}
}

// liveOptionsFrom reads the analysis flags.
func liveOptionsFrom(c *cli.Context) (liveOptions, error) {
	cfg, err := lintConfig(c.String("config"))
	if err != nil {
		return liveOptions{}, fmt.Errorf("config: %w", err)
	}
	var key []byte
	if k := c.String("capture-key"); k != "" {
		if b, err := hex.DecodeString(k); err == nil && len(b) >= 16 {
			key = b
		} else {
			key = []byte(k)
		}
	}
	return liveOptions{
		Config: cfg, Mode: c.String("mode"), FindingsPath: c.String("findings"),
		CapturePath: c.String("capture"), CaptureValues: c.String("capture-values"), CaptureKey: key,
		CaptureRotate: c.Int64("capture-rotate-size"), HTTPAddr: c.String("http"),
		QueueSize: c.Int("analysis-queue"), NoAnalysis: !c.Bool("analysis"), Logger: logger,
	}, nil
}
