package ormtraffic

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// externalORM is an ORM driven by a script in another language. The script
// gets the proxy's URL in PGRMW_URL, names each case's connections by
// application_name, checks its own balances and exits non-zero on failure.
type externalORM struct {
	name string
	// ready returns "" when the runtime and the ORM are installed, else why
	// not (the test is skipped with that message).
	ready func() string
	dir   string   // working directory, relative to this package
	argv  []string // the command
	// want: application_name → expected rule ids; apps not listed must have
	// no findings.
	want map[string][]string
	// fixtures: application_name → the testdata/orm fixture recorded from
	// it; when that fixture is in KNOWN_FAILURES, a mismatch for the app is
	// logged instead of failing.
	fixtures map[string]string
}

func nodeReady(dir string) func() string {
	return func() string {
		if _, err := exec.LookPath("node"); err != nil {
			return "node not installed"
		}
		if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
			return "npm dependencies not installed (make test-orm runs npm ci in internal/ormtraffic/node)"
		}
		return ""
	}
}

func externalORMs() []externalORM {
	return []externalORM{
		{
			name:  "sequelize",
			ready: nodeReady("node"),
			dir:   "node",
			argv:  []string{"node", "sequelize.js"},
			want: map[string][]string{
				"seq_naive_save":    {"RMW001"},
				"seq_static_update": {"RMW001"},
				"seq_race_a":        {"RMW001"},
				"seq_race_b":        {"RMW001", "RMW006"},
				"seq_key_share":     {"RMW001"},
				"seq_save_silent":   {"RMW001"},
			},
			fixtures: map[string]string{"seq_increment": "sequelize_increment"},
		},
		{
			name:  "typeorm",
			ready: nodeReady("node"),
			dir:   "node",
			argv:  []string{"node", "typeorm.js"},
			want: map[string][]string{
				"to_naive_save":     {"RMW001"},
				"to_update":         {"RMW001"},
				"to_version_column": {"RMW001", "RMW002"},
				"to_version_race_a": {"RMW001", "RMW002"},
				// save() re-reads the row and then writes the stale version
				// back ("version" = $2 with the first read's value): the
				// version column is rewound, not advanced.
				"to_version_race_b": {"RMW001", "RMW006"},
				"to_for_key_share":  {"RMW001"},
			},
			fixtures: map[string]string{"to_version_race_b": "typeorm_version_race"},
		},
		{
			name:  "django",
			ready: pythonReady("/usr/bin/python3", "django", "psycopg2"),
			dir:   "python",
			argv:  []string{"/usr/bin/python3", "django_cases.py"},
			want: map[string][]string{
				"dj_naive_save":         {"RMW001"},
				"dj_save_update_fields": {"RMW001"},
				"dj_queryset_update":    {"RMW001"},
				"dj_race_a":             {"RMW001"},
				"dj_race_b":             {"RMW001", "RMW006"},
				"dj_bulk_update":        {"RMW001", "RMW001"},
			},
			fixtures: map[string]string{"dj_bulk_update": "django_bulk_update"},
		},
		{
			name:  "activerecord",
			ready: rubyReady("active_record", "pg"),
			dir:   "ruby",
			argv:  []string{"ruby", "activerecord_cases.rb"},
			want: map[string][]string{
				"ar_naive_save":    {"RMW001"},
				"ar_update_column": {"RMW001"},
				"ar_race_a":        {"RMW001"},
				"ar_race_b":        {"RMW001", "RMW006"},
			},
			fixtures: map[string]string{"ar_touch": "activerecord_touch"},
		},
	}
}

// rubyReady checks that ruby can require the libraries (Debian:
// ruby-activerecord, ruby-pg).
func rubyReady(libs ...string) func() string {
	return func() string {
		if _, err := exec.LookPath("ruby"); err != nil {
			return "ruby not installed (apt-get install -y ruby-activerecord ruby-pg)"
		}
		var args []string
		for _, l := range libs {
			args = append(args, "-r"+l)
		}
		args = append(args, "-e", "")
		if out, err := exec.Command("ruby", args...).CombinedOutput(); err != nil {
			return fmt.Sprintf("ruby cannot require %s (apt-get install -y ruby-activerecord ruby-pg): %s", strings.Join(libs, ", "), strings.TrimSpace(string(out)))
		}
		return ""
	}
}

// pythonReady checks that python can import the modules. Debian's
// python3-django lives in the system interpreter's path, hence the explicit
// /usr/bin/python3 (a pyenv shim earlier in PATH would not see it).
func pythonReady(python string, modules ...string) func() string {
	return func() string {
		args := []string{"-c", "import " + strings.Join(modules, ", ")}
		if out, err := exec.Command(python, args...).CombinedOutput(); err != nil {
			return fmt.Sprintf("%s cannot import %s (apt-get install -y python3-django python3-psycopg2): %s", python, strings.Join(modules, ", "), strings.TrimSpace(string(out)))
		}
		return ""
	}
}

// TestExternalORMs runs the Sequelize, TypeORM, Django and ActiveRecord
// scripts through the proxy. It needs their runtimes and packages, which
// `make test-orm` installs; under plain `go test` it is skipped unless
// PGRMW_ORM_EXTERNAL=1.
func TestExternalORMs(t *testing.T) {
	if os.Getenv("PGRMW_ORM_EXTERNAL") == "" {
		t.Skip("external ORMs run under `make test-orm` (PGRMW_ORM_EXTERNAL=1)")
	}
	for _, orm := range externalORMs() {
		t.Run(orm.name, func(t *testing.T) {
			if why := orm.ready(); why != "" {
				t.Skipf("%s SKIPPED: %s", orm.name, why)
			}
			runExternal(t, orm)
		})
	}
}

func runExternal(t *testing.T, orm externalORM) {
	db := "ext_" + orm.name
	if err := srv.CreateDatabase(db); err != nil {
		t.Fatal(err)
	}
	h, err := Start(srv.URL(db), analyzer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	url := h.URL(srv.User, db)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, orm.argv[0], orm.argv[1:]...)
	cmd.Dir = orm.dir
	cmd.Env = append(os.Environ(), "PGRMW_URL="+url)
	out, err := cmd.CombinedOutput()
	t.Logf("%s output:\n%s", orm.name, out)
	if err != nil {
		t.Errorf("%s: %v", orm.name, err)
	}
	if !h.Quiesce(10 * time.Second) {
		t.Error("sessions did not end")
	}
	findings := h.Close()
	known := map[string]string{}
	kf := knownFailures(t)
	for app, fixture := range orm.fixtures {
		if why, ok := kf[fixture]; ok {
			known[app] = fixture + ": " + why
		}
	}
	checkByApp(t, orm.name, findings, orm.want, known)
	if st := h.Stats(); st.Panics > 0 {
		t.Errorf("analyzer panics: %d (%s)", st.Panics, st.LastPanic)
	}
	if dir := os.Getenv("PGRMW_ORM_RECORD"); dir != "" {
		record(t, dir, orm.name, Steps(h.Events()))
	}
}

// checkByApp compares findings grouped by application_name with want; apps
// in known (app → why) only log a mismatch.
func checkByApp(t *testing.T, label string, findings []analyzer.Finding, want map[string][]string, known map[string]string) {
	t.Helper()
	byApp := RulesByApp(findings)
	apps := map[string]bool{}
	for a := range byApp {
		apps[a] = true
	}
	for a := range want {
		apps[a] = true
	}
	var names []string
	for a := range apps {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, app := range names {
		w := append([]string(nil), want[app]...)
		sort.Strings(w)
		if len(w) == 0 {
			w = nil
		}
		if reflect.DeepEqual(byApp[app], w) {
			continue
		}
		if why, ok := known[app]; ok {
			t.Logf("known failure %s %s: findings %v, want %v (%s)", label, app, byApp[app], w, why)
			continue
		}
		t.Errorf("%s %s: findings %v, want %v", label, app, byApp[app], w)
	}
	if t.Failed() || testing.Verbose() {
		for _, f := range findings {
			t.Logf("finding %s [%s] %s", f.Rule, f.Session.ApplicationName, f.Message)
		}
	}
}
