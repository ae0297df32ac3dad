package ormtraffic

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/scenario"
)

const fixtureDir = "../../testdata/orm"

// knownFailures reads testdata/orm/KNOWN_FAILURES: one fixture name (the
// file name without .sql) per line, then optionally a diagnosis after '#'.
// These fixtures state the truth; the analyzer does not meet it yet.
func knownFailures(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, "KNOWN_FAILURES"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sn := bufio.NewScanner(f)
	for sn.Scan() {
		line := strings.TrimSpace(sn.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, why, _ := strings.Cut(line, "#")
		out[strings.TrimSpace(name)] = strings.TrimSpace(why)
	}
	if err := sn.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestORMFixtures replays every testdata/orm/*.sql (the SQL real ORMs sent,
// with the findings that should be reported) through the proxy against
// PostgreSQL, in the extended and the simple protocol, and checks the
// findings with internal/scenario's checker. A fixture listed in
// KNOWN_FAILURES may fail (logged); if it passes, the test fails so that the
// list is kept honest.
func TestORMFixtures(t *testing.T) {
	scs, err := scenario.LoadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) == 0 {
		t.Fatal("no fixtures in testdata/orm")
	}
	known := knownFailures(t)
	names := map[string]bool{}
	for _, sc := range scs {
		names[sc.Name] = true
	}
	for name := range known {
		if !names[name] {
			t.Errorf("KNOWN_FAILURES lists %s, which is not a fixture", name)
		}
	}
	only := os.Getenv("PGRMW_SCENARIO")
	for _, sc := range scs {
		if only != "" && !strings.Contains(sc.Name, only) {
			continue
		}
		why, isKnown := known[sc.Name]
		var failedAny bool
		var ran int
		for _, proto := range []scenario.Protocol{scenario.Extended, scenario.Simple} {
			if !sc.Supports(proto) {
				continue
			}
			ran++
			problems, err := runFixture(t, sc, proto)
			if err != nil {
				t.Errorf("%s (%s): %v", sc.Name, proto, err)
				continue
			}
			if len(problems) == 0 {
				continue
			}
			failedAny = true
			for _, p := range problems {
				if isKnown {
					t.Logf("known failure %s (%s): %s", sc.Name, proto, p)
				} else {
					t.Errorf("%s (%s): %s", sc.Path, proto, p)
				}
			}
		}
		if isKnown && ran > 0 && !failedAny {
			t.Errorf("%s passes now: remove it from testdata/orm/KNOWN_FAILURES (%s)", sc.Name, why)
		}
	}
}

var dbNameUnsafe = regexp.MustCompile(`[^a-z0-9_]+`)

// runFixture runs one fixture in one protocol and returns what differs from
// its annotations.
func runFixture(t *testing.T, sc *scenario.Scenario, proto scenario.Protocol) ([]string, error) {
	db := dbNameUnsafe.ReplaceAllString(strings.ToLower("o_"+sc.Name+"_"+string(proto)), "_")
	if len(db) > 63 {
		db = db[:63]
	}
	if err := srv.CreateDatabase(db); err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := scenario.Setup(ctx, sc, srv.URL(db)); err != nil {
		return nil, err
	}
	cfg, err := fixtureConfig(t, sc)
	if err != nil {
		return nil, err
	}
	h, err := Start(srv.URL(db), cfg)
	if err != nil {
		return nil, err
	}
	res, err := scenario.Run(ctx, sc, scenario.Options{URL: h.URL(srv.User, db), Protocol: proto})
	if err != nil {
		h.Close()
		return nil, err
	}
	if !h.Quiesce(5 * time.Second) {
		t.Logf("%s (%s): sessions did not end in time", sc.Name, proto)
	}
	findings := h.Close()
	problems := scenario.CheckSteps(sc, res)
	problems = append(problems, scenario.CheckFindings(sc, res, findings)...)
	if st := h.Stats(); st.Panics > 0 {
		problems = append(problems, "analyzer panicked: "+st.LastPanic)
	}
	if len(problems) > 0 || testing.Verbose() {
		var lines []string
		for _, f := range findings {
			lines = append(lines, f.Rule+" ["+f.Session.ApplicationName+"] "+f.Message)
		}
		sort.Strings(lines)
		for _, l := range lines {
			t.Logf("%s (%s) finding: %s", sc.Name, proto, l)
		}
	}
	return problems, nil
}

func fixtureConfig(t *testing.T, sc *scenario.Scenario) (analyzer.Config, error) {
	if sc.Config == "" {
		return analyzer.DefaultConfig(), nil
	}
	p := filepath.Join(t.TempDir(), "pgrmw.yaml")
	if err := os.WriteFile(p, []byte(sc.Config), 0o600); err != nil {
		return analyzer.Config{}, err
	}
	return analyzer.LoadConfig(p)
}
