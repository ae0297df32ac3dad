// Command pgrmw-bench compares pgbench throughput direct to PostgreSQL,
// through pgrmw (log mode, analysis on) and through PgBouncer (session mode),
// alternating the contenders within one run so that a noisy shared machine
// affects them alike, and reports ratios to direct. It also measures the
// proxy's memory with many idle connections. `make bench` runs it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

type contender struct {
	name string
	host string
	port int
	pid  int // for memory readings
}

type line struct {
	name string
	args []string
}

type sample struct{ tps, latencyMS float64 }

func main() {
	if len(os.Args) == 4 && os.Args[1] == forwardMode {
		if err := runForward(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "pgrmw-bench forwarder:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pgrmw-bench:", err)
		os.Exit(1)
	}
}

func run() error {
	duration := flag.Duration("duration", 10*time.Second, "length of each pgbench run")
	clients := flag.Int("clients", 8, "pgbench clients")
	rounds := flag.Int("rounds", 2, "alternating rounds per line")
	scale := flag.Int("scale", 10, "pgbench scale factor")
	binary := flag.String("pgrmw", "bin/pgrmw", "the pgrmw binary")
	idle := flag.Int("idle", 1000, "idle connections for the memory reading (0 to skip)")
	findings := flag.String("findings", "", "where pgrmw writes findings (default: a temp file); the bench must produce none")
	relayOnly := flag.Bool("relay", true, "also measure pgrmw with --analysis=false (the relay's own cost)")
	floor := flag.Bool("forward", true, "also measure a bare epoll byte forwarder in Go (the floor of any Go relay)")
	flag.Parse()

	pgbench, err := findTool("pgbench")
	if err != nil {
		return err
	}
	srv, err := pgtest.Start(pgtest.Options{MaxConnections: *idle + 100})
	if err != nil {
		return err
	}
	defer srv.Stop()
	fmt.Printf("PostgreSQL at %s; initialising pgbench scale %d\n", srv.Addr(), *scale)
	if out, err := exec.Command(pgbench, "-i", "-q", "-s", strconv.Itoa(*scale), "-h", srv.Host,
		"-p", strconv.Itoa(srv.Port), "-U", srv.User, "postgres").CombinedOutput(); err != nil {
		return fmt.Errorf("pgbench -i: %w: %s", err, out)
	}

	tmp, err := os.MkdirTemp("", "pgrmw-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *findings == "" {
		*findings = filepath.Join(tmp, "findings.jsonl")
	}

	direct := &contender{name: "direct", host: srv.Host, port: srv.Port, pid: 0}
	proxy, stopProxy, err := startPgrmw("pgrmw", *binary, srv, *findings)
	if err != nil {
		return err
	}
	defer stopProxy()
	contenders := []*contender{direct, proxy}
	if *relayOnly {
		relay, stopRelay, err := startPgrmw("relay", *binary, srv, *findings, "--analysis=false")
		if err != nil {
			return err
		}
		defer stopRelay()
		contenders = append(contenders, relay)
	}
	if *floor {
		fwd, stopForward, err := startForward(srv)
		if err != nil {
			return err
		}
		defer stopForward()
		contenders = append(contenders, fwd)
	}
	bouncer, stopBouncer, err := startPgBouncer(srv, tmp)
	if err != nil {
		fmt.Printf("PgBouncer skipped: %v\n", err)
	} else {
		defer stopBouncer()
		contenders = append(contenders, bouncer)
	}

	lines := []line{
		{"select-only -M prepared", []string{"-S", "-M", "prepared"}},
		{"select-only -M simple", []string{"-S", "-M", "simple"}},
		{"TPC-B -M prepared", []string{"-M", "prepared"}},
	}
	results := map[string]map[string][]sample{}
	for _, l := range lines {
		results[l.name] = map[string][]sample{}
		for r := 0; r < *rounds; r++ {
			// Rotate the order each round so no contender always runs first.
			for i := range contenders {
				c := contenders[(i+r)%len(contenders)]
				s, err := runPgbench(pgbench, c, srv.User, *clients, *duration, l.args)
				if err != nil {
					return fmt.Errorf("%s via %s: %w", l.name, c.name, err)
				}
				fmt.Printf("  %-24s %-9s round %d: %8.0f tps  %6.3f ms\n", l.name, c.name, r+1, s.tps, s.latencyMS)
				results[l.name][c.name] = append(results[l.name][c.name], s)
			}
		}
	}

	fmt.Printf("\npgbench, %d clients, %s per run, %d alternating rounds (mean), scale %d, %d cores\n\n",
		*clients, *duration, *rounds, *scale, numCPU())
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "| workload\t| contender\t| TPS\t| latency ms\t| × direct\t| × PgBouncer\t|")
	fmt.Fprintln(tw, "|---\t|---\t|---:\t|---:\t|---:\t|---:\t|")
	for _, l := range lines {
		base := mean(results[l.name]["direct"])
		bnc, hasBouncer := results[l.name]["pgbouncer"]
		for _, c := range contenders {
			m := mean(results[l.name][c.name])
			vsBouncer := "—"
			if hasBouncer {
				vsBouncer = fmt.Sprintf("%.2f", m.tps/mean(bnc).tps)
			}
			fmt.Fprintf(tw, "| %s\t| %s\t| %.0f\t| %.3f\t| %.2f\t| %s\t|\n", l.name, c.name, m.tps, m.latencyMS, m.tps/base.tps, vsBouncer)
		}
	}
	tw.Flush()

	n, err := countLines(*findings)
	if err != nil {
		return err
	}
	fmt.Printf("\nfindings produced by pgrmw during the bench: %d (the TPC-B script uses atomic updates: want 0)\n", n)

	if *idle > 0 {
		fmt.Printf("\nmemory with %d idle connections (RSS):\n", *idle)
		for _, c := range contenders[1:] {
			before, after, err := idleMemory(c, srv.User, *idle)
			if err != nil {
				fmt.Printf("  %-9s error: %v\n", c.name, err)
				continue
			}
			fmt.Printf("  %-9s %6.1f MiB → %6.1f MiB  (%.1f KiB per connection)\n", c.name,
				float64(before)/1024, float64(after)/1024, float64(after-before)/float64(*idle))
		}
	}
	if n > 0 {
		// The findings file lives in a directory removed on return: show them.
		b, _ := os.ReadFile(*findings)
		for i, l := range strings.SplitN(strings.TrimSpace(string(b)), "\n", 6) {
			if i == 5 {
				fmt.Println("  …")
				break
			}
			var f struct{ Rule, Message string }
			if json.Unmarshal([]byte(l), &f) == nil {
				fmt.Printf("  %s %s\n", f.Rule, f.Message)
			}
		}
		return fmt.Errorf("pgrmw reported %d findings on pgbench traffic", n)
	}
	return nil
}

var (
	tpsRe     = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	latencyRe = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
)

func runPgbench(pgbench string, c *contender, user string, clients int, d time.Duration, args []string) (sample, error) {
	all := append([]string{"-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())),
		"-h", c.host, "-p", strconv.Itoa(c.port), "-U", user}, args...)
	all = append(all, "postgres")
	out, err := exec.Command(pgbench, all...).CombinedOutput()
	if err != nil {
		return sample{}, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	t := tpsRe.FindSubmatch(out)
	l := latencyRe.FindSubmatch(out)
	if t == nil || l == nil {
		return sample{}, fmt.Errorf("cannot read pgbench output: %s", out)
	}
	tps, _ := strconv.ParseFloat(string(t[1]), 64)
	lat, _ := strconv.ParseFloat(string(l[1]), 64)
	return sample{tps, lat}, nil
}

func mean(ss []sample) sample {
	var m sample
	for _, s := range ss {
		m.tps += s.tps
		m.latencyMS += s.latencyMS
	}
	if len(ss) > 0 {
		m.tps /= float64(len(ss))
		m.latencyMS /= float64(len(ss))
	}
	return m
}

func startPgrmw(name, binary string, srv *pgtest.Server, findings string, extra ...string) (*contender, func(), error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(binary, "--log-level", "warn", "--log-format", "json", "proxy",
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--upstream", srv.URL("postgres"),
		"--findings", findings)
	cmd.Args = append(cmd.Args, extra...)
	logf, err := os.CreateTemp("", "pgrmw-bench-proxy-*.log")
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", binary, err)
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		logf.Close()
		os.Remove(logf.Name())
	}
	if err := waitPort(port, 10*time.Second); err != nil {
		log, _ := os.ReadFile(logf.Name())
		stop()
		return nil, nil, fmt.Errorf("pgrmw did not listen: %w: %s", err, log)
	}
	return &contender{name: name, host: "127.0.0.1", port: port, pid: cmd.Process.Pid}, stop, nil
}

func startPgBouncer(srv *pgtest.Server, dir string) (*contender, func(), error) {
	bin, err := findTool("pgbouncer")
	if err != nil {
		return nil, nil, errors.New("pgbouncer not installed (apt-get install -y pgbouncer)")
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	bdir := filepath.Join(dir, "pgbouncer")
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		return nil, nil, err
	}
	ini := fmt.Sprintf(`[databases]
postgres = host=%s port=%d dbname=postgres user=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = session
max_client_conn = 5000
default_pool_size = 2000
max_db_connections = 0
logfile = %s
pidfile = %s
`, srv.Host, srv.Port, srv.User, port, filepath.Join(bdir, "users.txt"), filepath.Join(bdir, "pgbouncer.log"), filepath.Join(bdir, "pgbouncer.pid"))
	if err := os.WriteFile(filepath.Join(bdir, "users.txt"), []byte(fmt.Sprintf("%q \"\"\n", srv.User)), 0o644); err != nil {
		return nil, nil, err
	}
	iniPath := filepath.Join(bdir, "pgbouncer.ini")
	if err := os.WriteFile(iniPath, []byte(ini), 0o644); err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(bin, iniPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if os.Geteuid() == 0 {
		// PgBouncer refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, nil, fmt.Errorf("pgbouncer as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		os.Chown(dir, uid, gid)
		filepath.Walk(bdir, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, uid, gid) })
	}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start pgbouncer: %w", err)
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	}
	if err := waitPort(port, 10*time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(bdir, "pgbouncer.log"))
		stop()
		return nil, nil, fmt.Errorf("pgbouncer did not listen: %w: %s %s", err, stderr.String(), log)
	}
	return &contender{name: "pgbouncer", host: "127.0.0.1", port: port, pid: cmd.Process.Pid}, stop, nil
}

// idleMemory opens n connections through c, each running one query, and
// reads c's resident memory before and after (KiB).
func idleMemory(c *contender, user string, n int) (before, after int64, err error) {
	before, err = rssKiB(c.pid)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conns := make([]*pgx.Conn, 0, n)
	defer func() {
		for _, cn := range conns {
			cn.Close(context.Background())
		}
	}()
	dsn := fmt.Sprintf("postgres://%s@%s:%d/postgres?sslmode=disable", user, c.host, c.port)
	for i := 0; i < n; i++ {
		cn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return 0, 0, fmt.Errorf("connection %d: %w", i+1, err)
		}
		conns = append(conns, cn)
		var one int
		if err := cn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
			return 0, 0, fmt.Errorf("query on connection %d: %w", i+1, err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	after, err = rssKiB(c.pid)
	return before, after, err
}

func rssKiB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				return strconv.ParseInt(fields[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

func findTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if bin, err := pgtest.BinDir(); err == nil {
		if p := filepath.Join(bin, name); fileExists(p) {
			return p, nil
		}
	}
	for _, p := range []string{"/usr/sbin/" + name, "/usr/bin/" + name} {
		if fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitPort(port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("port %d not open after %s", port, timeout)
}

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return 0, nil
	}
	return len(lines), nil
}

func numCPU() int { return runtime.NumCPU() }
