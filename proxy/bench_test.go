package proxy

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Benchmarks compare each configuration with a baseline measured in the same
// run: read the ratios, not the absolute figures (the machine is shared).

// benchChunks are what one pgbench -S -M prepared transaction puts on the
// wire in each direction.
func benchChunks(b *testing.B) (front, back []byte) {
	var err error
	for _, m := range []pgproto3.FrontendMessage{
		&pgproto3.Bind{PreparedStatement: "P0_1", ParameterFormatCodes: []int16{0}, Parameters: [][]byte{[]byte("48213")}, ResultFormatCodes: []int16{0}},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	} {
		if front, err = m.Encode(front); err != nil {
			b.Fatal(err)
		}
	}
	for _, m := range []pgproto3.BackendMessage{
		&pgproto3.BindComplete{},
		&pgproto3.DataRow{Values: [][]byte{[]byte("0")}},
		&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")},
		&pgproto3.ReadyForQuery{TxStatus: 'I'},
	} {
		if back, err = m.Encode(back); err != nil {
			b.Fatal(err)
		}
	}
	return front, back
}

func benchDirection(obs analyzer.Observer, fromClient bool) *direction {
	p, err := New(Config{Upstream: "postgres://u@127.0.0.1:1/db?sslmode=disable", Observer: obs})
	if err != nil {
		panic(err)
	}
	s := &session{p: p, id: "bench-1"}
	return newDirection(s, nil, nil, fromClient)
}

// BenchmarkWalk measures framing plus event building for one transaction's
// messages; "frames-only" (no observer) is the baseline.
func BenchmarkWalk(b *testing.B) {
	front, back := benchChunks(b)
	discard := analyzer.ObserverFunc(func(*analyzer.Event) {})
	for _, bc := range []struct {
		name string
		obs  analyzer.Observer
	}{{"frames-only", nil}, {"events", discard}} {
		b.Run(bc.name, func(b *testing.B) {
			fe, be := benchDirection(bc.obs, true), benchDirection(bc.obs, false)
			b.ReportAllocs()
			for b.Loop() {
				fe.n = copy(fe.buf, front)
				if done, _ := fe.walk(); done != len(front) {
					b.Fatalf("walked %d of %d", done, len(front))
				}
				be.n = copy(be.buf, back)
				be.walk()
			}
		})
	}
}

// BenchmarkRoundTrip runs a prepared single-row SELECT against the test
// server directly (the baseline), through the bare relay, and through the
// relay building every event.
func BenchmarkRoundTrip(b *testing.B) {
	ctx := context.Background()
	discard := analyzer.ObserverFunc(func(*analyzer.Event) {})
	for _, bc := range []struct {
		name  string
		proxy bool
		obs   analyzer.Observer
	}{{"direct", false, nil}, {"relay", true, nil}, {"relay+events", true, discard}} {
		b.Run(bc.name, func(b *testing.B) {
			url := srv.URL("postgres")
			if bc.proxy {
				p := startProxy(b, Config{Observer: bc.obs})
				url = p.url(srv.User, "", "postgres")
			}
			conn, err := pgconn.Connect(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(ctx)
			if _, err := conn.Prepare(ctx, "q", "select $1::int", nil); err != nil {
				b.Fatal(err)
			}
			params := [][]byte{[]byte("1")}
			for b.Loop() {
				if _, err := conn.ExecPrepared(ctx, "q", params, nil, nil).Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
