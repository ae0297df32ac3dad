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

func TestLintExitCodes(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		name string
		args []string
		want int
	}{
		{"findings at warning", []string{"--out", out, raceCapture}, 1},
		{"fail-on error", []string{"--out", out, "--fail-on", "error", raceCapture}, 0},
		{"fail-on none", []string{"--out", out, "--fail-on", "none", raceCapture}, 0},
		{"fail-on info", []string{"--out", out, "--fail-on", "info", raceCapture}, 1},
		{"bad format", []string{"--format", "xml", raceCapture}, 2},
		{"bad fail-on", []string{"--fail-on", "sometimes", raceCapture}, 2},
		{"no inputs", []string{}, 2},
		{"missing input", []string{filepath.Join(dir, "nope.jsonl")}, 2},
		{"missing baseline", []string{"--baseline", filepath.Join(dir, "nope.json"), raceCapture}, 2},
		{"server log with a race", []string{"--out", out, "../../testdata/serverlogs/pgx-jsonlog.json"}, 1},
		{"server log at error", []string{"--out", out, "--fail-on", "error", "../../testdata/serverlogs/pgx-jsonlog.json"}, 0},
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
	if len(res.Findings) != 2 || res.Findings[0].Rule != "RMW001" || res.Findings[0].Session.ApplicationName != "order" ||
		res.Findings[1].Session.ApplicationName != "referral" || res.Findings[0].Session.Database != "shop" {
		t.Errorf("json = %s", data)
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
	if log.Version != "2.1.0" || len(r.Results) != 2 || r.Results[0].RuleID != "RMW001" ||
		r.Results[0].PartialFingerprints["pgrmwFingerprint/v1"] != res.Findings[0].Fingerprint ||
		r.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != strings.TrimPrefix(raceCapture, "") ||
		r.Results[0].Locations[0].PhysicalLocation.Region.StartLine < 2 {
		t.Errorf("sarif = %.2000s", data)
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
	if !strings.Contains(string(text), "2 more in the baseline") {
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
	if code := lintRun(t, "--keep-going", "--out", out, corrupt); code != 1 {
		t.Errorf("corrupt middle line with --keep-going: exit %d, want 1", code)
	}
	truncated := filepath.Join(dir, "truncated.jsonl")
	os.WriteFile(truncated, data[:len(data)-15], 0o644)
	if code := lintRun(t, "--out", out, truncated); code != 1 {
		t.Errorf("truncated last line: exit %d, want 1 (a warning, findings still reported)", code)
	}
}
