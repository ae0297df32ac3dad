package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func TestUpstreamRefusesConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := startProxy(t, Config{Upstream: "postgres://u@" + addr + "/db?sslmode=disable", ConnectTimeout: 2 * time.Second})
	start := time.Now()
	_, err = pgx.Connect(context.Background(), p.url("u", "", "db"))
	if code := pgCode(err); code != "08001" {
		t.Fatalf("got %v, want SQLSTATE 08001", err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error does not name the upstream %s: %v", addr, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestUpstreamSilent: the upstream accepts TCP but never answers the
// SSLRequest; the connect timeout must still bound the client's wait.
func TestUpstreamSilent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	timeout := 300 * time.Millisecond
	p := startProxy(t, Config{Upstream: "postgres://u@" + ln.Addr().String() + "/db?sslmode=require", ConnectTimeout: timeout})
	start := time.Now()
	_, err = pgx.Connect(context.Background(), p.url("u", "", "db"))
	if code := pgCode(err); code != "08001" {
		t.Fatalf("got %v, want SQLSTATE 08001", err)
	}
	if d := time.Since(start); d < timeout || d > timeout+2*time.Second {
		t.Errorf("failed after %s, want about %s", d, timeout)
	}
}

// cutter is a TCP forwarder between the proxy and the test server whose
// connections a test can sever, as a network failure or a crashed server
// would.
type cutter struct {
	ln    net.Listener
	mu    sync.Mutex
	pairs [][2]net.Conn
}

func newCutter(t *testing.T) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", srv.Addr())
			if err != nil {
				down.Close()
				continue
			}
			c.mu.Lock()
			c.pairs = append(c.pairs, [2]net.Conn{down, up})
			c.mu.Unlock()
			go func() { io.Copy(up, down); up.Close() }()
			go func() { io.Copy(down, up); down.Close() }()
		}
	}()
	return c
}

func (c *cutter) cut(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pairs[i][0].Close()
	c.pairs[i][1].Close()
}

func TestUpstreamDiesMidSession(t *testing.T) {
	cut := newCutter(t)
	p := startProxy(t, Config{Upstream: "postgres://x@" + cut.ln.Addr().String() + "/postgres?sslmode=disable"})
	ctx := context.Background()
	victim, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close(ctx)
	other, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)

	cut.cut(0)
	_, err = victim.Exec(ctx, "select 1")
	if err == nil {
		t.Fatal("query on a severed session succeeded")
	}
	if code := pgCode(err); code != "08006" || !strings.Contains(err.Error(), "upstream") {
		t.Errorf("victim got %v, want the proxy's 08006 naming the upstream", err)
	}
	// The proxy closed the victim's socket.
	if _, err := victim.Exec(ctx, "select 1"); err == nil {
		t.Error("victim still usable")
	}
	var n int
	if err := other.QueryRow(ctx, "select 2").Scan(&n); err != nil || n != 2 {
		t.Errorf("other session broken: %d, %v", n, err)
	}
}

func TestServerTerminatesBackend(t *testing.T) {
	p := startProxy(t, Config{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var pid int
	if err := conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	psql(t, "select pg_terminate_backend("+strconv.Itoa(pid)+")")
	_, err = conn.Exec(ctx, "select 1")
	if code := pgCode(err); code != "57P01" {
		t.Errorf("got %v, want the server's own 57P01", err)
	}
}

func backendAlive(t *testing.T, pid int) bool {
	return strings.TrimSpace(psql(t, "select count(*) from pg_stat_activity where pid = "+strconv.Itoa(pid))) == "1"
}

func TestClientVanishes(t *testing.T) {
	p := startProxy(t, Config{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "begin"); err != nil {
		t.Fatal(err)
	}
	conn.PgConn().Conn().Close() // no Terminate: the client just goes away
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if !pgtest.WaitContext(wctx, 20*time.Millisecond, func() bool { return !backendAlive(t, pid) }) {
		t.Errorf("backend %d still in pg_stat_activity 5s after its client vanished", pid)
	}
}

// TestClientVanishesMidQuery: the backend is busy when the client goes;
// without a cancel it would run the statement to its end.
func TestClientVanishesMidQuery(t *testing.T) {
	p := startProxy(t, Config{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	fe := conn.PgConn().Frontend()
	fe.SendQuery(&pgproto3.Query{String: "select pg_sleep(60)"})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if !pgtest.WaitContext(wctx, 10*time.Millisecond, func() bool {
		return strings.TrimSpace(psql(t, "select count(*) from pg_stat_activity where pid = "+strconv.Itoa(pid)+" and query like '%pg_sleep(60)%' and state = 'active'")) == "1"
	}) {
		t.Fatal("the query never started")
	}
	conn.PgConn().Conn().Close()
	wctx2, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if !pgtest.WaitContext(wctx2, 20*time.Millisecond, func() bool { return !backendAlive(t, pid) }) {
		t.Errorf("backend %d still running 5s after its client vanished mid-query", pid)
	}
}

// rawSession speaks the protocol by hand through the proxy, up to the
// first ReadyForQuery.
func rawSession(t *testing.T, p *running) (net.Conn, *pgproto3.Frontend) {
	t.Helper()
	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fe := pgproto3.NewFrontend(c, c)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": srv.User, "database": "postgres"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("startup: %v", err)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			return c, fe
		}
	}
}

func TestMalformedClientMessage(t *testing.T) {
	// With an observer, Query messages are held whole, so the limit applies.
	p := startProxy(t, Config{MaxMessageBytes: 1 << 20, Observer: &recorder{}})
	bystander, err := pgx.Connect(context.Background(), p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer bystander.Close(context.Background())

	for name, garbage := range map[string][]byte{
		"negative length": {'Q', 0xff, 0xff, 0xff, 0xf0, 's', 'e', 'l'},
		"length < 4":      {'Q', 0, 0, 0, 2},
		"over the limit":  {'Q', 0, 0x20, 0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			c, fe := rawSession(t, p)
			if _, err := c.Write(garbage); err != nil {
				t.Fatal(err)
			}
			msg, err := fe.Receive()
			if err != nil {
				t.Fatalf("want an ErrorResponse, got %v", err)
			}
			er, ok := msg.(*pgproto3.ErrorResponse)
			if !ok || er.Code != "08P01" || er.Severity != "FATAL" {
				t.Fatalf("got %#v, want FATAL 08P01", msg)
			}
			if _, err := fe.Receive(); err == nil {
				t.Error("connection still open after the protocol violation")
			}
		})
	}
	var n int
	if err := bystander.QueryRow(context.Background(), "select 3").Scan(&n); err != nil || n != 3 {
		t.Errorf("bystander broken: %v", err)
	}
}

func TestMaxConnections(t *testing.T) {
	p := startProxy(t, Config{MaxConnections: 2})
	ctx := context.Background()
	var conns []*pgx.Conn
	for range 2 {
		c, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	_, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if code := pgCode(err); code != "53300" {
		t.Fatalf("third connection: got %v, want SQLSTATE 53300", err)
	}
	conns[0].Close(ctx)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	pgtest.WaitContext(wctx, 5*time.Millisecond, func() bool { return p.Stats().SessionsOpen == 1 })
	c, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatalf("after one left: %v", err)
	}
	c.Close(ctx)
	conns[1].Close(ctx)
	if st := p.Stats(); st.SessionsRefused != 1 || st.SessionsTotal != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestShutdownGraceElapses(t *testing.T) {
	grace := 700 * time.Millisecond
	p := startProxy(t, Config{ShutdownGrace: grace})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	p.cancel()
	// No longer accepting…
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if !pgtest.WaitContext(wctx, 5*time.Millisecond, func() bool {
		c, err := net.Dial("tcp", p.addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	}) {
		t.Error("still accepting after shutdown began")
	}
	// …but the open session carries on within the grace…
	var n int
	if err := conn.QueryRow(ctx, "select 4").Scan(&n); err != nil {
		t.Errorf("session broken during grace: %v", err)
	}
	// …and is closed when it elapses.
	select {
	case <-p.done:
	case <-time.After(grace + 5*time.Second):
		t.Fatal("Serve did not return after the grace")
	}
	if d := time.Since(start); d < grace {
		t.Errorf("Serve returned after %s, before the %s grace", d, grace)
	}
	_, err = conn.Exec(ctx, "select 5")
	if err == nil {
		t.Fatal("session survived the shutdown")
	}
	if code := pgCode(err); code != "57P01" {
		t.Errorf("got %v, want 57P01 from the proxy", err)
	}
	p.done <- nil // for the cleanup
}

func TestShutdownEndsEarlyWhenSessionsFinish(t *testing.T) {
	p := startProxy(t, Config{ShutdownGrace: time.Minute})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p.cancel()
	time.Sleep(100 * time.Millisecond)
	conn.Close(ctx)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still waiting after the last session ended")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	p.done <- nil
}
