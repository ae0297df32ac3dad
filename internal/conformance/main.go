// Command conformance runs the jackc/pgx v5 test suite against a throwaway
// PostgreSQL directly and through the pgrmw proxy (with an observer, so every
// message is decoded into events), and fails when a test that passes
// directly does not pass through the proxy.
//
//	go run ./internal/conformance [-direct=false] [-run REGEXP] [-out DIR]
//
// Run it from the module root: the pgx packages are tested from the module
// cache with our go.mod.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pgtest"
	"github.com/pgrmw/pgrmw/proxy"
)

var packages = []string{
	"github.com/jackc/pgx/v5",
	"github.com/jackc/pgx/v5/pgconn",
	"github.com/jackc/pgx/v5/stdlib",
	"github.com/jackc/pgx/v5/pgxpool",
}

// setupSQL prepares the database as pgx's testsetup/postgresql_setup.sql
// does (the parts the four packages need).
const setupSQL = `
create extension hstore;
create extension ltree;
create domain uint64 as numeric(20,0);
set password_encryption = md5;
create user pgx_md5 with superuser password 'secret';
set password_encryption = 'scram-sha-256';
create user pgx_pw with superuser password 'secret';
create user pgx_scram with superuser password 'secret';
create user " tricky, ' } "" \\ test user " superuser password 'secret';
`

func main() {
	os.Exit(run())
}

func run() int {
	direct := flag.Bool("direct", true, "also run the suite directly and compare (otherwise every proxied test must pass)")
	runRE := flag.String("run", "", "go test -run pattern (default: all tests)")
	outDir := flag.String("out", "out/conformance", "directory for the go test -json logs")
	flag.Parse()
	log := func(format string, args ...any) { fmt.Printf("conformance: "+format+"\n", args...) }

	srv, err := pgtest.Start(pgtest.Options{HBA: []string{
		"local all all trust",
		"host all pgx_md5 127.0.0.1/32 md5",
		"host all pgx_pw 127.0.0.1/32 password",
		"host all pgx_scram 127.0.0.1/32 scram-sha-256",
		"host all all 127.0.0.1/32 trust",
	}})
	if err != nil {
		log("%v", err)
		return 1
	}
	defer srv.Stop()
	if err := srv.CreateDatabase("pgx_test"); err != nil {
		log("%v", err)
		return 1
	}
	if _, err := srv.Psql("pgx_test", setupSQL); err != nil {
		log("database setup: %v", err)
		return 1
	}

	var events atomic.Int64
	p, err := proxy.New(proxy.Config{
		Upstream: srv.URL("pgx_test"),
		Observer: analyzer.ObserverFunc(func(*analyzer.Event) { events.Add(1) }),
		Logger:   zerolog.New(os.Stderr).Level(zerolog.WarnLevel),
	})
	if err != nil {
		log("%v", err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log("%v", err)
		return 1
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, ln) }()
	defer func() { stop(); <-served }()

	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		log("%v", err)
		return 1
	}
	var directResults map[string]string
	if *direct {
		start := time.Now()
		directResults, err = suite(srv.Addr(), srv.User, *runRE, filepath.Join(*outDir, "direct.json"))
		if err != nil {
			log("direct run: %v", err)
			return 1
		}
		log("direct:  %s in %s", summary(directResults), time.Since(start).Round(time.Second))
	}
	start := time.Now()
	proxied, err := suite(ln.Addr().String(), srv.User, *runRE, filepath.Join(*outDir, "proxy.json"))
	if err != nil {
		log("proxied run: %v", err)
		return 1
	}
	st := p.Stats()
	log("proxied: %s in %s (%d sessions, %d events)", summary(proxied), time.Since(start).Round(time.Second), st.SessionsTotal, events.Load())

	var regressions []string
	for name, res := range proxied {
		if res != "fail" {
			continue
		}
		if directResults == nil || directResults[name] != "fail" {
			regressions = append(regressions, name)
		}
	}
	sort.Strings(regressions)
	if len(regressions) > 0 {
		log("%d test(s) fail through the proxy but not directly (logs in %s):", len(regressions), *outDir)
		for _, r := range regressions {
			fmt.Println("  " + r)
		}
		return 1
	}
	if directResults != nil {
		for name, res := range directResults {
			// Subtest names may embed temp paths; top-level names are stable.
			if res == "pass" && proxied[name] == "" && !strings.Contains(name, "/") {
				log("missing through the proxy: %s", name)
				return 1
			}
		}
	}
	log("OK: the pgx suite gives the same results through the proxy")
	return 0
}

// suite runs the four pgx packages with PGX_TEST_* pointing at addr (su is
// the superuser's name) and
// returns each test's (and each package's) outcome: pass, fail or skip.
func suite(addr, su, runRE, logPath string) (map[string]string, error) {
	url := func(user, pw string) string {
		if pw != "" {
			user += ":" + pw
		}
		return fmt.Sprintf("postgres://%s@%s/pgx_test?sslmode=disable", user, addr)
	}
	args := []string{"test", "-json", "-count=1"}
	if runRE != "" {
		args = append(args, "-run", runRE)
	}
	args = append(args, packages...)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(),
		"PGX_TEST_DATABASE="+url(su, ""),
		"PGX_TEST_TCP_CONN_STRING="+url(su, ""),
		"PGX_TEST_MD5_PASSWORD_CONN_STRING="+url("pgx_md5", "secret"),
		"PGX_TEST_PLAIN_PASSWORD_CONN_STRING="+url("pgx_pw", "secret"),
		"PGX_TEST_SCRAM_PASSWORD_CONN_STRING="+url("pgx_scram", "secret"),
	)
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	results := map[string]string{}
	sc := bufio.NewScanner(io.TeeReader(stdout, logFile))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct{ Action, Package, Test string }
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		switch ev.Action {
		case "pass", "fail", "skip":
			name := ev.Package + " " + ev.Test
			if ev.Test == "" {
				name = ev.Package + " (package)"
			}
			results[name] = ev.Action
		}
	}
	err = cmd.Wait()
	if len(results) == 0 {
		return nil, fmt.Errorf("go test: %v: %s", err, stderr.String())
	}
	return results, nil
}

func summary(results map[string]string) string {
	n := map[string]int{}
	for name, r := range results {
		if !strings.HasSuffix(name, "(package)") {
			n[r]++
		}
	}
	return fmt.Sprintf("%d passed, %d failed, %d skipped", n["pass"], n["fail"], n["skip"])
}
