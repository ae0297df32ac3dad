package lint

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/lint/internal/trafficgen"
)

// benchEvents is the size of the generated capture the benchmarks read per
// iteration (PGRMW_BENCH_CAPTURE points at a bigger one, e.g. 1M events
// from scripts/bench-lint.sh).
const benchEvents = 200_000

var (
	benchOnce sync.Once
	benchPath string
	benchN    int
)

func benchCapture(b *testing.B) (string, int) {
	if p := os.Getenv("PGRMW_BENCH_CAPTURE"); p != "" {
		benchOnce.Do(func() {
			benchPath = p
			r, err := capture.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			for {
				if _, err := r.Next(); err != nil {
					break
				}
				benchN++
			}
		})
		return benchPath, benchN
	}
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pgrmw-lint-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchPath = filepath.Join(dir, "capture.jsonl")
		w, err := capture.Create(benchPath, capture.Options{Key: []byte("bench")})
		if err != nil {
			b.Fatal(err)
		}
		g := trafficgen.New(1, 100, func(ev *analyzer.Event) { w.Observe(ev) })
		g.Generate(benchEvents)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		benchN = g.Events
	})
	return benchPath, benchN
}

// BenchmarkReadCapture is the baseline: decoding the capture, no analysis.
func BenchmarkReadCapture(b *testing.B) {
	path, n := benchCapture(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := capture.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkLintCapture is `pgrmw lint` on the capture: decoding in one
// goroutine, the analyzer with every rule in another. Compare its events/s
// with BenchmarkReadCapture's from the same run.
func BenchmarkLintCapture(b *testing.B) {
	path, n := benchCapture(b)
	opts := DefaultOptions(analyzer.DefaultConfig())
	var peak uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Collect(context.Background(), []string{path}, opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.Events != int64(n) {
			b.Fatalf("read %d events, want %d", res.Events, n)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak {
			peak = ms.HeapInuse
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "heapMiB")
}
