package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connectAndCheck connects with connString and checks the session's user
// and whether the client side is TLS.
func connectAndCheck(t *testing.T, connString, wantUser string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		t.Fatalf("connect %s: %v", wantUser, err)
	}
	defer conn.Close(ctx)
	var user string
	if err := conn.QueryRow(ctx, "select current_user").Scan(&user); err != nil {
		t.Fatal(err)
	}
	if user != wantUser {
		t.Errorf("current_user = %q, want %q", user, wantUser)
	}
}

func TestAuthenticationPassesThrough(t *testing.T) {
	createUsers(t)
	p := startProxy(t, Config{})
	for _, tc := range []struct{ user, password string }{
		{srv.User, ""}, // trust
		{"pwuser", "secret"},
		{"md5user", "secret"},
		{"scramuser", "secret"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			connectAndCheck(t, p.url(tc.user, tc.password, "postgres"), tc.user)
			if tc.password == "" {
				return
			}
			_, err := pgx.Connect(context.Background(), p.url(tc.user, "wrong", "postgres"))
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
				t.Errorf("wrong password: got %v, want SQLSTATE 28P01", err)
			}
		})
	}
}

// tlsClientURL is a URL through a TLS-terminating proxy, verifying its
// certificate, plus extra parameters.
func tlsClientURL(p *running, user, password string, cert certFiles, extra string) string {
	return strings.Replace(p.url(user, password, "postgres"), "sslmode=disable",
		"sslmode=verify-full&sslrootcert="+url.QueryEscape(cert.cert)+extra, 1)
}

// TestTLSTermination terminates client TLS at the proxy with a plain
// upstream hop. Over TLS a client would pick SCRAM-SHA-256-PLUS if the
// proxy did not hide it, and channel binding cannot survive the proxy.
func TestTLSTermination(t *testing.T) {
	createUsers(t)
	proxyCert, err := writeSelfSignedCert(t.TempDir(), "proxy")
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, Config{TLSCert: proxyCert.cert, TLSKey: proxyCert.key})
	for _, user := range []string{"scramuser", "md5user", "pwuser", srv.User} {
		t.Run(user, func(t *testing.T) {
			pw := "secret"
			if user == srv.User {
				pw = ""
			}
			conn := connectTLS(t, tlsClientURL(p, user, pw, proxyCert, ""))
			defer conn.Close(context.Background())
		})
	}
	t.Run("direct negotiation", func(t *testing.T) {
		conn := connectTLS(t, tlsClientURL(p, "scramuser", "secret", proxyCert, "&sslnegotiation=direct"))
		defer conn.Close(context.Background())
	})
	t.Run("cancel over TLS", func(t *testing.T) {
		conn := connectTLS(t, tlsClientURL(p, srv.User, "", proxyCert, ""))
		defer conn.Close(context.Background())
		go func() {
			time.Sleep(200 * time.Millisecond)
			conn.PgConn().CancelRequest(context.Background())
		}()
		if _, err := conn.Exec(context.Background(), "select pg_sleep(20)"); pgCode(err) != "57014" {
			t.Errorf("got %v, want 57014", err)
		}
	})
	if conn, err := pgx.Connect(context.Background(), tlsClientURL(p, "scramuser", "secret", proxyCert, "&channel_binding=require")); err == nil {
		conn.Close(context.Background())
		t.Error("channel_binding=require succeeded through a proxy")
	}
}

// TestTLSBothHops adds TLS upstream (verify-full against the test server's
// certificate). SCRAM then needs channel_binding=disable on the client (see
// the package doc); md5 works as is.
func TestTLSBothHops(t *testing.T) {
	createUsers(t)
	dir := t.TempDir()
	proxyCert, err := writeSelfSignedCert(dir, "proxy")
	if err != nil {
		t.Fatal(err)
	}
	// A copy we can read: the server's own belongs to the postgres user.
	data, err := os.ReadFile(serverCert.cert)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "server-ca.crt")
	if err := os.WriteFile(ca, data, 0o644); err != nil {
		t.Fatal(err)
	}
	upstream := "postgres://" + srv.User + "@127.0.0.1:" + portOf(srv.Addr()) +
		"/postgres?sslmode=verify-full&sslrootcert=" + url.QueryEscape(ca)
	p := startProxy(t, Config{Upstream: upstream, TLSCert: proxyCert.cert, TLSKey: proxyCert.key})

	for user, extra := range map[string]string{"scramuser": "&channel_binding=disable", "md5user": ""} {
		t.Run(user, func(t *testing.T) {
			ctx := context.Background()
			conn := connectTLS(t, tlsClientURL(p, user, "secret", proxyCert, extra))
			defer conn.Close(ctx)
			var upstreamSSL bool
			if err := conn.QueryRow(ctx, "select ssl from pg_stat_ssl where pid = pg_backend_pid()").Scan(&upstreamSSL); err != nil {
				t.Fatal(err)
			}
			if !upstreamSSL {
				t.Error("upstream connection is not TLS despite sslmode=verify-full")
			}
		})
	}
	// The documented limitation: a binding-capable client is refused by
	// the server as a downgrade. If this starts passing, update the doc.
	_, err = pgx.Connect(context.Background(), tlsClientURL(p, "scramuser", "secret", proxyCert, ""))
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || !strings.Contains(pgErr.Message, "channel binding") {
		t.Errorf("SCRAM with channel_binding=prefer over two TLS hops: got %v, want a channel binding error", err)
	}
}

func connectTLS(t *testing.T, connString string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), connString)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
		t.Errorf("client connection is %T, not TLS", conn.PgConn().Conn())
	}
	var one int
	if err := conn.QueryRow(context.Background(), "select 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestUpstreamSSLModes checks that sslmode=disable and prefer in the
// upstream URL decide whether the upstream connection is TLS.
func TestUpstreamSSLModes(t *testing.T) {
	for mode, wantSSL := range map[string]bool{"disable": false, "prefer": true, "require": true} {
		t.Run(mode, func(t *testing.T) {
			p := startProxy(t, Config{Upstream: strings.Replace(srv.URL("postgres"), "sslmode=disable", "sslmode="+mode, 1)})
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var ssl bool
			if err := conn.QueryRow(ctx, "select ssl from pg_stat_ssl where pid = pg_backend_pid()").Scan(&ssl); err != nil {
				t.Fatal(err)
			}
			if ssl != wantSSL {
				t.Errorf("upstream ssl = %v, want %v", ssl, wantSSL)
			}
		})
	}
}

func TestUpstreamURLValidation(t *testing.T) {
	for _, bad := range []string{"", "postgres://x@[bad", "postgres://u:hunter2@/db?host=/var/run/postgresql", "postgres://h/db?sslmode=bogus"} {
		_, err := New(Config{Upstream: bad})
		if err == nil {
			t.Errorf("New(%q) succeeded", bad)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func portOf(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	return addr[i+1:]
}
