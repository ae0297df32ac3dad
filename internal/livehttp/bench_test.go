package livehttp

import (
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
)

// The per-event hook must cost next to nothing next to analysing the event.
// Compare BenchmarkObserveAnalysisLatency with the baseline, which only
// measures the time.Since the caller does anyway.
func BenchmarkBaselineTimeSince(b *testing.B) {
	start := time.Now()
	var sink time.Duration
	for b.Loop() {
		sink += time.Since(start)
	}
	_ = sink
}

func BenchmarkObserveAnalysisLatency(b *testing.B) {
	s := New(Options{Logger: zerolog.Nop()})
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.ObserveAnalysisLatency(time.Since(start))
		}
	})
}

func BenchmarkRecordFinding(b *testing.B) {
	s := New(Options{Logger: zerolog.Nop()})
	fs := make([]analyzer.Finding, 100)
	for i := range fs {
		fs[i] = analyzer.Finding{Rule: "RMW001", Severity: analyzer.SeverityWarning, Fingerprint: fmt.Sprint(i), Table: "users",
			Session: analyzer.SessionInfo{ApplicationName: fmt.Sprint("app", i%5)}}
	}
	i := 0
	for b.Loop() {
		s.RecordFinding(fs[i%len(fs)])
		i++
	}
}
