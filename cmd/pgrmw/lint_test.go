package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const raceCapture = "../../testdata/captures/loyalty-race.jsonl"

func lintRun(t *testing.T, args ...string) int {
	t.Helper()
	return run(append([]string{"pgrmw", "--log-level", "error", "lint"}, args...))
}

// writeFindings writes a findings file (the proxy's --findings format) with
// one warning and one info finding: exit codes must not depend on which
// rules exist.
func writeFindings(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "findings.jsonl")
	lines := `{"rule":"RMW001","name":"unguarded-read-modify-write","severity":"warning","message":"m","session":{"id":"1"},"statements":[],"fingerprint":"f1","time":"2026-01-01T00:00:00Z"}
{"rule":"RMW009","name":"something","severity":"info","message":"m","session":{"id":"1"},"statements":[],"fingerprint":"f2","time":"2026-01-01T00:00:00Z"}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLintExitCodes(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	findings := writeFindings(t, dir)
	for _, tt := range []struct {
		name string
		args []string
		want int
	}{
		{"warning at warning", []string{"--out", out, findings}, 1},
		{"fail-on error", []string{"--out", out, "--fail-on", "error", findings}, 0},
		{"fail-on none", []string{"--out", out, "--fail-on", "none", findings}, 0},
		{"fail-on info", []string{"--out", out, "--fail-on", "info", findings}, 1},
		{"capture with a race", []string{"--out", out, raceCapture}, 1},
		{"server log with a race", []string{"--out", out, "../../testdata/serverlogs/pgx-jsonlog.json"}, 1},
		{"bad format", []string{"--format", "xml", raceCapture}, 2},
		{"bad fail-on", []string{"--fail-on", "sometimes", raceCapture}, 2},
		{"no inputs", []string{}, 2},
		{"missing input", []string{filepath.Join(dir, "nope.jsonl")}, 2},
		{"missing baseline", []string{"--baseline", filepath.Join(dir, "nope.json"), raceCapture}, 2},
	} {
		if got := lintRun(t, tt.args...); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestLintJSONAndSARIF(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "lint.json")
	if code := lintRun(t, "--format", "json", "--out", out, raceCapture); code != 1 {
		t.Fatalf("exit %d", code)
	}
	var res struct {
		Findings []struct {
			Rule    string `json:"rule"`
			Session struct {
				ID              string `json:"id"`
				ApplicationName string `json:"application_name"`
				User            string `json:"user"`
				Database        string `json:"database"`
			} `json:"session"`
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	var rmw001 []string
	for _, f := range res.Findings {
		if f.Rule == "RMW001" && f.Session.Database == "shop" && f.Session.User == "app" {
			rmw001 = append(rmw001, f.Session.ApplicationName)
		}
	}
	if strings.Join(rmw001, ",") != "order,referral" {
		t.Errorf("RMW001 findings for %v, want order and referral; json = %s", rmw001, data)
	}

	sarif := filepath.Join(dir, "lint.sarif")
	if code := lintRun(t, "--format", "sarif", "--out", sarif, raceCapture); code != 1 {
		t.Fatalf("exit %d", code)
	}
	data, _ = os.ReadFile(sarif)
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	r := log.Runs[0]
	if log.Version != "2.1.0" || len(r.Results) != len(res.Findings) {
		t.Fatalf("sarif = %.2000s", data)
	}
	for i, x := range r.Results {
		loc := x.Locations[0].PhysicalLocation
		if x.RuleID != res.Findings[i].Rule || x.PartialFingerprints["pgrmwFingerprint/v1"] != res.Findings[i].Fingerprint ||
			loc.ArtifactLocation.URI != "../../testdata/captures/loyalty-race.jsonl" || loc.Region.StartLine < 2 {
			t.Errorf("sarif result %d = %+v", i, x)
		}
	}
	if len(r.Tool.Driver.Rules) == 0 || r.Tool.Driver.Rules[0].ID != "RMW001" || !strings.Contains(r.Tool.Driver.Rules[0].Help.Text, "FOR UPDATE") {
		t.Errorf("sarif rules = %+v", r.Tool.Driver.Rules)
	}
}

func TestLintBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	out := filepath.Join(dir, "out")
	if code := lintRun(t, "--write-baseline", base, "--out", out, raceCapture); code != 0 {
		t.Fatalf("write-baseline: exit %d, want 0 (everything is now in the baseline)", code)
	}
	if code := lintRun(t, "--baseline", base, "--out", out, raceCapture); code != 0 {
		t.Errorf("with baseline: exit %d, want 0", code)
	}
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "0 findings in 0 code paths (") || !strings.Contains(string(text), "more in the baseline") {
		t.Errorf("text output = %s", text)
	}
	// A baseline from other traffic does not hide these findings.
	os.WriteFile(base, []byte(`{"format":"pgrmw-baseline","version":1,"fingerprints":[{"fingerprint":"other","rule":"RMW001","count":1}]}`), 0o644)
	if code := lintRun(t, "--baseline", base, "--out", out, raceCapture); code != 1 {
		t.Errorf("with unrelated baseline: exit %d, want 1", code)
	}
}

func TestLintMalformedInputs(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(raceCapture)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	corrupt := filepath.Join(dir, "corrupt.jsonl")
	bad := append([]string{}, lines...)
	bad[3] = "{\"kind\": oops\n"
	os.WriteFile(corrupt, []byte(strings.Join(bad, "")), 0o644)
	out := filepath.Join(dir, "out")
	if code := lintRun(t, "--out", out, corrupt); code != 2 {
		t.Errorf("corrupt middle line: exit %d, want 2", code)
	}
	if code := lintRun(t, "--keep-going", "--fail-on", "none", "--out", out, corrupt); code != 0 {
		t.Errorf("corrupt middle line with --keep-going: exit %d, want 1", code)
	}
	truncated := filepath.Join(dir, "truncated.jsonl")
	os.WriteFile(truncated, data[:len(data)-15], 0o644)
	if code := lintRun(t, "--out", out, truncated); code != 1 {
		t.Errorf("truncated last line: exit %d, want 1 (a warning, findings still reported)", code)
	}
}
