package proxy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pgtest"
)

var (
	srv *pgtest.Server
	// serverCert is the self-signed certificate the test server's TLS uses
	// (also usable as its own CA for verify-full).
	serverCert certFiles
)

type certFiles struct{ cert, key string }

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pgrmw-proxy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	serverCert, err = writeSelfSignedCert(dir, "server")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Geteuid() == 0 {
		// The server runs as "postgres" and insists on owning its key.
		if err := chownToPostgres(dir, serverCert.cert, serverCert.key); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return pgtest.Main(m, pgtest.Options{
		Conf: map[string]string{
			"ssl":           "on",
			"ssl_cert_file": "'" + serverCert.cert + "'",
			"ssl_key_file":  "'" + serverCert.key + "'",
		},
		HBA: []string{
			"local all all trust",
			"host all pwuser 127.0.0.1/32 password",
			"host all md5user 127.0.0.1/32 md5",
			"host all scramuser 127.0.0.1/32 scram-sha-256",
			"host all all 127.0.0.1/32 trust",
		},
	}, &srv)
}

func chownToPostgres(paths ...string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, p := range paths {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// writeSelfSignedCert writes a certificate for 127.0.0.1/localhost and its
// key into dir.
func writeSelfSignedCert(dir, name string) (certFiles, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certFiles{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return certFiles{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return certFiles{}, err
	}
	f := certFiles{cert: filepath.Join(dir, name+".crt"), key: filepath.Join(dir, name+".key")}
	if err := os.WriteFile(f.cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return certFiles{}, err
	}
	if err := os.WriteFile(f.key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return certFiles{}, err
	}
	return f, nil
}

// running is a proxy serving in the background for one test.
type running struct {
	*Proxy
	addr   string
	cancel context.CancelFunc
	done   chan error
}

// startProxy serves cfg (Upstream defaults to the test server) on a free
// port until the test ends. PGRMW_TEST_LOG=1 shows the proxy's log.
func startProxy(t testing.TB, cfg Config) *running {
	t.Helper()
	if cfg.Upstream == "" {
		cfg.Upstream = srv.URL("postgres")
	}
	if os.Getenv("PGRMW_TEST_LOG") != "" {
		cfg.Logger = zerolog.New(zerolog.NewTestWriter(t.(zerolog.TestingLog))).Level(zerolog.DebugLevel)
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

// psql runs SQL directly against the test server (not through a proxy).
func psql(t *testing.T, sql string) string {
	t.Helper()
	out, err := srv.Psql("postgres", sql)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var usersOnce sync.Once

// createUsers makes one user per authentication method, password "secret".
func createUsers(t *testing.T) {
	t.Helper()
	usersOnce.Do(func() {
		psql(t, `set password_encryption = 'md5'; create user md5user superuser password 'secret';
			set password_encryption = 'scram-sha-256';
			create user pwuser superuser password 'secret';
			create user scramuser superuser password 'secret';`)
	})
}
