package main

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

// pgbench's TPC-B script only writes with atomic updates (abalance =
// abalance + :delta): run through the proxy with every rule on, it must
// produce no finding. A naive read-then-write script run through the same
// proxy afterwards must produce findings, so silence cannot come from the
// analysis being off.
func TestPgbenchTPCBHasNoFindings(t *testing.T) {
	if testing.Short() {
		t.Skip("pgbench run")
	}
	srv, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	dir := t.TempDir()
	findings := filepath.Join(dir, "findings.jsonl")
	// RMW004 is a timing rule: on a test machine busy with other packages a
	// TPC-B transaction can hold its row lock past 50 ms while the server
	// waits for CPU. The property under test is that atomic updates are
	// never taken for lost-update risks; `make bench` keeps the default.
	cfg := filepath.Join(dir, "pgrmw.yaml")
	if err := os.WriteFile(cfg, []byte("lock_held_threshold: 10s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	listen := freeAddr(t)
	cmd, stderr := proxyChild(t, "proxy", "--listen", listen, "--upstream", srv.URL("postgres"), "--findings", findings,
		"--config", cfg, "--shutdown-grace", "1s")
	waitListening(t, listen, stderr)
	host, port, _ := net.SplitHostPort(listen)
	pgbench := func(app string, args ...string) {
		t.Helper()
		c := exec.Command(filepath.Join(srv.BinDir, "pgbench"), append(args, "-h", host, "-p", port, "-U", srv.User, "postgres")...)
		c.Env = append(os.Environ(), "PGAPPNAME="+app)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("pgbench %v: %v\n%s", args, err, out)
		}
	}
	pgbench("init", "-i", "-q", "-s", "1")
	for _, mode := range []string{"prepared", "simple", "extended"} {
		pgbench("tpcb-"+mode, "-n", "-c", "4", "-t", "150", "-M", mode)
	}
	naive := filepath.Join(dir, "naive.sql")
	if err := os.WriteFile(naive, []byte(`\set aid random(1, 100000)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_accounts SET abalance = 7 WHERE aid = :aid;
`), 0o644); err != nil {
		t.Fatal(err)
	}
	pgbench("naive", "-n", "-c", "1", "-t", "5", "-M", "prepared", "-f", naive)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("proxy exit: %v\n%s", err, stderr)
	}
	f, err := os.Open(findings)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byApp := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var fd struct {
			Rule    string `json:"rule"`
			Message string `json:"message"`
			Session struct {
				ApplicationName string `json:"application_name"`
			} `json:"session"`
		}
		if err := json.Unmarshal(sc.Bytes(), &fd); err != nil {
			t.Fatalf("findings line: %v: %s", err, sc.Bytes())
		}
		app := fd.Session.ApplicationName
		byApp[app]++
		if app != "naive" && byApp[app] <= 3 {
			t.Errorf("%s: unexpected %s: %s", app, fd.Rule, fd.Message)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if byApp["naive"] == 0 {
		t.Errorf("the naive read-then-write script produced no finding: the analysis did not run (findings by application: %v)", byApp)
	}
	t.Logf("findings by application: %v (TPC-B: %s transactions per mode)", byApp, strconv.Itoa(4*150))
}
