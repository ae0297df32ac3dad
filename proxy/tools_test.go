package proxy

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The stock PostgreSQL clients through the proxy: psql (simple protocol,
// COPY via \copy, multi-statement strings, errors) and pgbench in its three
// query modes.

func toolArgs(p *running, db string) []string {
	return []string{"-h", "127.0.0.1", "-p", portOf(p.addr), "-U", srv.User, "-d", db}
}

func TestPsqlThroughProxy(t *testing.T) {
	p := startProxy(t, Config{Observer: &recorder{}})
	script := `
create temp table t(id int primary key, v text);
\copy t from stdin
1	one
2	two
\.
select count(*) from t \gset
\echo rows=:count
begin; update t set v = 'uno' where id = 1; commit;
select v from t where id = 1;
select 1/0;
\echo after-error
select string_agg(v, ',' order by id) from t;
`
	cmd := exec.Command(filepath.Join(srv.BinDir, "psql"), append([]string{"-X", "-At", "-v", "ON_ERROR_STOP=0"}, toolArgs(p, "postgres")...)...)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"rows=2", "uno", "division by zero", "after-error", "uno,two"} {
		if !strings.Contains(got, want) {
			t.Errorf("psql output lacks %q:\n%s", want, got)
		}
	}
}

func TestPgbenchThroughProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("pgbench run")
	}
	if err := srv.CreateDatabase("bench_tools"); err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, Config{Observer: &recorder{}})
	pgbench := filepath.Join(srv.BinDir, "pgbench")
	if out, err := exec.Command(pgbench, append([]string{"-i", "-q", "-s", "1"}, toolArgs(p, "bench_tools")...)...).CombinedOutput(); err != nil {
		t.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	for _, mode := range []string{"simple", "extended", "prepared"} {
		t.Run(mode, func(t *testing.T) {
			args := append([]string{"-n", "-c", "4", "-t", "50", "-M", mode}, toolArgs(p, "bench_tools")...)
			out, err := exec.Command(pgbench, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("pgbench -M %s: %v\n%s", mode, err, out)
			}
			if !strings.Contains(string(out), "number of transactions actually processed: 200/200") {
				t.Errorf("pgbench -M %s:\n%s", mode, out)
			}
			if strings.Contains(string(out), "number of failed transactions: ") && !strings.Contains(string(out), "number of failed transactions: 0 ") {
				t.Errorf("failed transactions:\n%s", out)
			}
		})
	}
}
