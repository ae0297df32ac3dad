package proxy

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgrmw/pgrmw/analyzer"
)

// An idle session holds no relay buffer, whether it has carried traffic or
// not yet: with a thousand idle connections open, 32 KiB per direction
// would be most of the proxy's memory.
func TestIdleSessionsHoldNoRelayBuffers(t *testing.T) {
	r := startProxy(t, Config{Observer: analyzer.ObserverFunc(func(*analyzer.Event) {})})
	ctx := context.Background()
	var conns []*pgconn.PgConn
	for i := 0; i < 10; i++ {
		c, err := pgconn.Connect(ctx, r.url(srv.User, "", "postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		conns = append(conns, c)
	}
	settled := func(what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for r.Stats().RelayBuffers != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d relay buffers held by %d idle sessions", what, r.Stats().RelayBuffers, len(conns))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	settled("fresh sessions")
	for _, c := range conns[:5] {
		if _, err := c.Exec(ctx, "SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g").ReadAll(); err != nil {
			t.Fatal(err)
		}
	}
	settled("after traffic")
}
