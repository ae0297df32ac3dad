package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

// The proxy command runs in a child process (this test binary re-executed)
// so that real signals can be sent to it.
func TestProxyCommandChild(t *testing.T) {
	args := os.Getenv("PGRMW_TEST_PROXY_ARGS")
	if args == "" {
		t.Skip("child process of TestProxyCommand*")
	}
	os.Exit(run(append([]string{"pgrmw", "--log-format", "json"}, strings.Split(args, " ")...)))
}

func proxyChild(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyCommandChild$")
	cmd.Env = append(os.Environ(), "PGRMW_TEST_PROXY_ARGS="+strings.Join(args, " "))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, &stderr
}

// connectWhenUp connects through a proxy child as soon as it accepts
// sessions (within 30 s).
func connectWhenUp(t *testing.T, ctx context.Context, url string, stderr *bytes.Buffer) *pgx.Conn {
	t.Helper()
	var conn *pgx.Conn
	var err error
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if !pgtest.WaitContext(wctx, 50*time.Millisecond, func() bool {
		conn, err = pgx.Connect(ctx, url)
		return err == nil
	}) {
		t.Fatalf("proxy never accepted a session: %v\n%s", err, stderr)
	}
	return conn
}

// waitListening waits until a proxy child accepts TCP connections (30 s).
func waitListening(t *testing.T, addr string, stderr *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !pgtest.WaitContext(ctx, 50*time.Millisecond, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		t.Fatalf("proxy never listened:\n%s", stderr)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestProxyCommandSignal(t *testing.T) {
	srv, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	listen := freeAddr(t)
	cmd, stderr := proxyChild(t, "proxy", "--listen", listen, "--upstream", srv.URL("postgres"), "--shutdown-grace", "1s")
	url := "postgres://" + srv.User + "@" + listen + "/postgres?sslmode=disable"
	ctx := context.Background()
	conn := connectWhenUp(t, ctx, url, stderr)
	defer conn.Close(ctx)

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Stops accepting at once…
	wctx2, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	if !pgtest.WaitContext(wctx2, 10*time.Millisecond, func() bool {
		c, err := net.Dial("tcp", listen)
		if err == nil {
			c.Close()
		}
		return err != nil
	}) {
		t.Error("still accepting after SIGTERM")
	}
	// …the open session works during the grace…
	var n int
	if err := conn.QueryRow(ctx, "select 7").Scan(&n); err != nil || n != 7 {
		t.Errorf("session during grace: %v", err)
	}
	// …and the process exits cleanly once it has elapsed.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v\n%s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM\n%s", stderr)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("exited after %s, before the 1s grace with a session open", d)
	}
	if _, err := conn.Exec(ctx, "select 8"); err == nil {
		t.Error("session survived the shutdown")
	}
}

func TestProxyCommandBadFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for name, args := range map[string][]string{
		"port in use":    {"proxy", "--listen", busy.Addr().String(), "--upstream", "postgres://u@127.0.0.1:5432/db"},
		"unparsable URL": {"proxy", "--upstream", "postgres://u:sekrit@[::1/db"},
		"no upstream":    {"proxy"},
		"half of TLS":    {"proxy", "--upstream", "postgres://u@127.0.0.1:5432/db", "--tls-cert", "x.pem"},
		"extra argument": {"proxy", "--upstream", "postgres://u@127.0.0.1:5432/db", "oops"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd, stderr := proxyChild(t, args...)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("exit code 0")
				}
			case <-time.After(20 * time.Second):
				t.Fatal("did not exit")
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "pgrmw: proxy:") {
				t.Errorf("want one clear line, got:\n%s", stderr)
			}
			if strings.Contains(stderr.String(), "sekrit") {
				t.Errorf("password in the error: %s", stderr)
			}
		})
	}
}
