package livehttp

import (
	"github.com/prometheus/client_golang/prometheus"
)

// statsCollector turns the proxy's and the analyzer's counters into series at
// scrape time: each getter is called once per scrape, so the series of one
// scrape come from one consistent snapshot.
type statsCollector struct{ s *Server }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	descSessionsOpen     = desc("pgrmw_sessions_open", "Client sessions open now.")
	descSessionsTotal    = desc("pgrmw_sessions_total", "Client sessions accepted since start.")
	descSessionsRefused  = desc("pgrmw_sessions_refused_total", "Client sessions refused over --max-connections.")
	descBytes            = desc("pgrmw_bytes_total", "Protocol bytes relayed, by direction.", "direction")
	descEventsEmitted    = desc("pgrmw_events_total", "Protocol events the proxy emitted for analysis.")
	descEventsDropped    = desc("pgrmw_events_dropped_total", "Events not analysed because analysis fell behind (backpressure).")
	descWritesBlocked    = desc("pgrmw_writes_blocked_total", "Writes refused in block mode.")
	descRelayBuffers     = desc("pgrmw_relay_buffers", "Relay buffers (32 KiB each) held by sessions now; idle sessions hold none.")
	descEventsAnalyzed   = desc("pgrmw_events_analyzed_total", "Events the analyzer processed.")
	descStatementsParsed = desc("pgrmw_statements_parsed_total", "Statements parsed by pg_query (statement-cache misses).")
	descStatements       = desc("pgrmw_statements_total", "Statements analysed.")
	descCacheHits        = desc("pgrmw_statement_cache_hits_total", "Statement-facts cache lookups served from the cache.")
	descCacheMisses      = desc("pgrmw_statement_cache_misses_total", "Statement-facts cache lookups that had to parse.")
	descCacheHitRatio    = desc("pgrmw_statement_cache_hit_ratio", "Share of statement lookups served by the cache since start (0 to 1).")
	descParseErrors      = desc("pgrmw_statement_parse_errors_total", "Statements pg_query could not parse (skipped).")
	descAnalysisPanics   = desc("pgrmw_analysis_panics_total", "Panics recovered in analysis; traffic failed open.")
	descFindingGroups    = desc("pgrmw_finding_groups", "Distinct problems (fingerprints) in the live report.")
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descSessionsOpen, descSessionsTotal, descSessionsRefused, descBytes, descEventsEmitted,
		descEventsDropped, descWritesBlocked, descRelayBuffers, descEventsAnalyzed, descStatements, descStatementsParsed, descCacheHits, descCacheMisses,
		descCacheHitRatio, descParseErrors, descAnalysisPanics, descFindingGroups,
	} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	var p ProxyStats
	if c.s.opts.Sources.Proxy != nil {
		p = c.s.opts.Sources.Proxy()
	}
	var a AnalyzerStats
	if c.s.opts.Sources.Analyzer != nil {
		a = c.s.opts.Sources.Analyzer()
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	ucounter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	gauge(descSessionsOpen, float64(p.SessionsOpen))
	counter(descSessionsTotal, p.SessionsTotal)
	counter(descSessionsRefused, p.SessionsRefused)
	counter(descBytes, p.BytesFromClients, "client_to_server")
	counter(descBytes, p.BytesFromServers, "server_to_client")
	counter(descEventsEmitted, p.EventsEmitted)
	counter(descEventsDropped, p.EventsDropped)
	counter(descWritesBlocked, p.WritesBlocked)
	gauge(descRelayBuffers, float64(p.RelayBuffers))
	ucounter(descEventsAnalyzed, a.EventsAnalyzed)
	ucounter(descStatements, a.Statements)
	ucounter(descStatementsParsed, a.StatementsParsed)
	ucounter(descCacheHits, a.StatementCacheHits)
	ucounter(descCacheMisses, a.StatementCacheMisses)
	ratio := 0.0
	if lookups := a.StatementCacheHits + a.StatementCacheMisses; lookups > 0 {
		ratio = float64(a.StatementCacheHits) / float64(lookups)
	}
	gauge(descCacheHitRatio, ratio)
	ucounter(descParseErrors, a.ParseErrors)
	ucounter(descAnalysisPanics, a.AnalysisPanics)
	c.s.mu.Lock()
	groups := len(c.s.groups)
	c.s.mu.Unlock()
	gauge(descFindingGroups, float64(groups))
}
