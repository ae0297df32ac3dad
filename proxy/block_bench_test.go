package proxy_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pipeline"
	"github.com/pgrmw/pgrmw/proxy"
	"github.com/pgrmw/pgrmw/rules"
)

// BenchmarkBlockModeAllowedWrite measures what block mode adds to a write it
// lets through: the verdict (synchronous analysis) is on the critical path.
// Each iteration reads a row and then times an allowed (atomic) UPDATE of it
// on three connections in turn — straight to PostgreSQL, through a log-mode
// proxy (analysis on a queue) and through a block-mode proxy — so the three
// share the machine's conditions and the ratios compare like with like. It
// reports each mode's median write latency and the ratios of the medians.
//
//	go test ./proxy -run '^$' -bench BlockModeAllowedWrite -benchtime 3000x
func BenchmarkBlockModeAllowedWrite(b *testing.B) {
	ctx := context.Background()
	cfg := analyzer.DefaultConfig()

	logAnalyzer := analyzer.New(cfg, rules.All())
	logQueue := pipeline.NewAsync(analyzer.ObserverFunc(func(ev *analyzer.Event) { logAnalyzer.Feed(ev) }), 0)
	defer logQueue.Close()
	logAddr := proxy.StartBlockTestProxy(b, proxy.Config{Observer: logQueue})

	blockCfg := cfg
	pipeline.UseBlockMode(&blockCfg)
	block := pipeline.NewBlock(blockCfg, rules.All(), nil, zerolog.Nop())
	blockAddr := proxy.StartBlockTestProxy(b, proxy.Config{Observer: block, Gate: block})

	srv := proxy.BlockTestServer()
	benchDB(b)
	urls := []string{
		srv.URL(blockDB),
		fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", srv.User, logAddr, blockDB),
		fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", srv.User, blockAddr, blockDB),
	}
	conns := make([]*pgx.Conn, len(urls))
	for i, u := range urls {
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close(ctx)
		conns[i] = c
	}
	var samples [3][]time.Duration
	var bal int
	for b.Loop() {
		for i, c := range conns {
			id := i + 1
			if err := c.QueryRow(ctx, readSQL, id).Scan(&bal); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if _, err := c.Exec(ctx, safeSQL, 1, id); err != nil {
				b.Fatal(err)
			}
			samples[i] = append(samples[i], time.Since(start))
		}
	}
	if block.Blocked() != 0 || block.FailedOpen() != 0 {
		b.Fatalf("allowed writes were blocked (%d) or failed open (%d)", block.Blocked(), block.FailedOpen())
	}
	// Medians: the machine is shared, and a mean follows whoever else is
	// busy; the median of thousands of interleaved writes does not.
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Nanoseconds())
	}
	direct, logMode, blockMode := median(samples[0]), median(samples[1]), median(samples[2])
	b.ReportMetric(direct, "direct-p50-ns")
	b.ReportMetric(logMode, "log-p50-ns")
	b.ReportMetric(blockMode, "block-p50-ns")
	b.ReportMetric(blockMode/direct, "block/direct")
	b.ReportMetric(blockMode/logMode, "block/log")
	b.ReportMetric(blockMode-logMode, "block-added-p50-ns")
}

// benchDB makes sure the accounts table has rows 1–3.
func benchDB(b *testing.B) {
	b.Helper()
	srv := proxy.BlockTestServer()
	blockDBOnce.Do(func() {
		if err := srv.CreateDatabase(blockDB); err != nil {
			b.Fatal(err)
		}
		if _, err := srv.Psql(blockDB, "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)"); err != nil {
			b.Fatal(err)
		}
	})
	if _, err := srv.Psql(blockDB, "TRUNCATE accounts; INSERT INTO accounts VALUES (1, 100), (2, 200), (3, 300)"); err != nil {
		b.Fatal(err)
	}
}
