package proxy

import (
	"context"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pgtest"
)

var srv *pgtest.Server

func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, pgtest.Options{
		HBA: []string{
			"local all all trust",
			"host all trustuser 127.0.0.1/32 trust",
			"host all pwuser 127.0.0.1/32 password",
			"host all md5user 127.0.0.1/32 md5",
			"host all scramuser 127.0.0.1/32 scram-sha-256",
			"host all all 127.0.0.1/32 trust",
		},
	}, &srv))
}

// running is a proxy serving in the background for one test.
type running struct {
	*Proxy
	addr   string
	cancel context.CancelFunc
	done   chan error
}

// startProxy serves cfg (Upstream defaults to the test server) on a free
// port until the test ends.
func startProxy(t *testing.T, cfg Config) *running {
	t.Helper()
	if cfg.Upstream == "" {
		cfg.Upstream = srv.URL("postgres")
	}
	if os.Getenv("PGRMW_TEST_LOG") != "" {
		cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)
	} else {
		cfg.Logger = zerolog.Nop()
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Proxy: p, addr: ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- p.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Errorf("proxy did not stop within 30s")
		}
	})
	return r
}

// url is a connection URL through the proxy for user and database db.
func (r *running) url(user, password, db string) string {
	u := url.URL{Scheme: "postgres", Host: r.addr, Path: "/" + db, RawQuery: "sslmode=disable"}
	if password != "" {
		u.User = url.UserPassword(user, password)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

// recorder keeps every event it observes.
type recorder struct {
	mu     sync.Mutex
	events []*analyzer.Event
}

func (r *recorder) Observe(ev *analyzer.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []*analyzer.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*analyzer.Event(nil), r.events...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}
