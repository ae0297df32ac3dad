// Package pgtest starts a throwaway PostgreSQL server for tests, the demo and
// benchmarks: initdb into a temporary directory, a free port on loopback, its
// own socket directory, fsync off. As root it runs the server as the
// "postgres" user (initdb and postgres refuse to run as root).
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Options configure a server. The zero value is a trust-auth server.
type Options struct {
	// Conf is appended to postgresql.conf (name → value, values verbatim,
	// so quote strings: "'all'").
	Conf map[string]string
	// HBA replaces pg_hba.conf when non-empty (one rule per entry).
	HBA []string
	// MaxConnections defaults to 200.
	MaxConnections int
	// KeepDir leaves the data directory behind on Stop (for debugging).
	KeepDir bool
}

// Server is a running PostgreSQL.
type Server struct {
	Dir     string // temp root: data/, sock/, server.log
	DataDir string
	SockDir string
	LogPath string // the server's stderr
	Host    string
	Port    int
	User    string // superuser name ("postgres")
	BinDir  string

	cmd     *exec.Cmd
	cred    *syscall.Credential
	keepDir bool
	exited  chan struct{}
}

// BinDir finds the PostgreSQL server binaries: $PGRMW_PG_BIN, then
// `pg_config --bindir` if it has initdb, then the newest
// /usr/lib/postgresql/*/bin, then PATH.
func BinDir() (string, error) {
	if d := os.Getenv("PGRMW_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("PGRMW_PG_BIN=%s has no initdb: %w", d, err)
		}
		return d, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found (initdb): run `apt-get install -y postgresql` or set PGRMW_PG_BIN")
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start runs initdb and starts the server, waiting until it accepts
// connections.
func Start(opts Options) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgrmw-pg-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	s := &Server{
		Dir: dir, DataDir: filepath.Join(dir, "data"), SockDir: filepath.Join(dir, "sock"),
		LogPath: filepath.Join(dir, "server.log"), Host: "127.0.0.1", BinDir: bin,
		User: "postgres", keepDir: opts.KeepDir, exited: make(chan struct{}),
	}
	fail := func(err error) (*Server, error) {
		if !s.keepDir {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	if err := os.MkdirAll(s.SockDir, 0o700); err != nil {
		return fail(fmt.Errorf("socket dir: %w", err))
	}
	if os.Geteuid() == 0 {
		cred, err := postgresCredential()
		if err != nil {
			return fail(err)
		}
		s.cred = cred
		for _, p := range []string{dir, s.SockDir} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return fail(fmt.Errorf("chown %s: %w", p, err))
			}
		}
	} else if u, err := user.Current(); err == nil {
		s.User = u.Username
	}

	initdb := s.command(filepath.Join(bin, "initdb"), "-D", s.DataDir, "-U", s.User,
		"--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %w: %s", err, out))
	}

	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	s.Port = port
	maxConn := opts.MaxConnections
	if maxConn == 0 {
		maxConn = 200
	}
	conf := map[string]string{
		"listen_addresses":          "'127.0.0.1'",
		"port":                      strconv.Itoa(port),
		"unix_socket_directories":   "'" + s.SockDir + "'",
		"fsync":                     "off",
		"synchronous_commit":        "off",
		"full_page_writes":          "off",
		"max_connections":           strconv.Itoa(maxConn),
		"shared_buffers":            "128MB",
		"log_min_messages":          "warning",
		"max_prepared_transactions": "10",
	}
	for k, v := range opts.Conf {
		conf[k] = v
	}
	var b strings.Builder
	b.WriteString("\n# pgtest\n")
	keys := make([]string, 0, len(conf))
	for k := range conf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, conf[k])
	}
	if err := appendFile(filepath.Join(s.DataDir, "postgresql.conf"), b.String()); err != nil {
		return fail(err)
	}
	if len(opts.HBA) > 0 {
		hba := strings.Join(opts.HBA, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(s.DataDir, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
			return fail(fmt.Errorf("pg_hba.conf: %w", err))
		}
		if s.cred != nil {
			os.Chown(filepath.Join(s.DataDir, "pg_hba.conf"), int(s.cred.Uid), int(s.cred.Gid))
		}
	}

	logFile, err := os.Create(s.LogPath)
	if err != nil {
		return fail(fmt.Errorf("server log: %w", err))
	}
	if s.cred != nil {
		os.Chown(s.LogPath, int(s.cred.Uid), int(s.cred.Gid))
	}
	s.cmd = s.command(filepath.Join(bin, "postgres"), "-D", s.DataDir)
	s.cmd.Stdout = logFile
	s.cmd.Stderr = logFile
	// Own process group: a Ctrl-C to `go test` must not reach the server
	// before we stop it cleanly.
	s.cmd.SysProcAttr.Setpgid = true
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	go func() {
		s.cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if s.cred != nil {
		cmd.SysProcAttr.Credential = s.cred
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Dir = s.Dir
	return cmd
}

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			log, _ := os.ReadFile(s.LogPath)
			return fmt.Errorf("postgres exited during start: %s", log)
		default:
		}
		out, err := exec.Command(filepath.Join(s.BinDir, "pg_isready"), "-h", s.Host,
			"-p", strconv.Itoa(s.Port), "-U", s.User, "-d", "postgres", "-t", "1").CombinedOutput()
		if err == nil {
			return nil
		}
		_ = out
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(s.LogPath)
	return fmt.Errorf("postgres not ready after %s: %s", timeout, log)
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// URL is a postgres:// URL for the superuser and database db over TCP.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", s.User, s.Addr(), db)
}

// URLAs is like URL for another user and password.
func (s *Server) URLAs(user, password, db string) string {
	return fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable", user, password, s.Addr(), db)
}

// Psql runs SQL with psql as the superuser against db and returns its output.
func (s *Server) Psql(db, sql string) (string, error) {
	cmd := exec.Command(filepath.Join(s.BinDir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-h", s.Host, "-p", strconv.Itoa(s.Port), "-U", s.User, "-d", db, "-At", "-c", sql)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("psql: %w: %s", err, out.String())
	}
	return out.String(), nil
}

// CreateDatabase creates db (owned by the superuser).
func (s *Server) CreateDatabase(db string) error {
	_, err := s.Psql("postgres", fmt.Sprintf(`CREATE DATABASE %q`, db))
	return err
}

// Stop shuts the server down (fast mode) and removes its directory.
func (s *Server) Stop() error {
	if s == nil {
		return nil
	}
	var err error
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
			err = errors.New("postgres did not stop in 20s; killed")
		}
	}
	if !s.keepDir {
		os.RemoveAll(s.Dir)
	}
	return err
}

// Main starts one server for a test package, runs the tests and stops it.
// Use from TestMain:
//
//	var srv *pgtest.Server
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, pgtest.Options{}, &srv)) }
func Main(m *testing.M, opts Options, out **Server) int {
	s, err := Start(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	*out = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	return code
}

// WaitContext is a helper for tests that poll a condition.
func WaitContext(ctx context.Context, interval time.Duration, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(interval):
		}
	}
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a 'postgres' user to run the server (apt-get install -y postgresql creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
