package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// checkSARIF checks a log against the properties SARIF 2.1.0 requires and
// the ones GitHub code scanning relies on (no network here to fetch the
// schema, so the required fields are spelled out).
func checkSARIF(data []byte) error {
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		return err
	}
	if log["version"] != "2.1.0" {
		return fmt.Errorf("version = %v", log["version"])
	}
	runs, ok := log["runs"].([]any)
	if !ok || len(runs) == 0 {
		return fmt.Errorf("runs missing")
	}
	for _, r := range runs {
		run := r.(map[string]any)
		driver, ok := dig(run, "tool", "driver").(map[string]any)
		if !ok || driver["name"] == "" || driver["name"] == nil {
			return fmt.Errorf("tool.driver.name missing")
		}
		rules, _ := driver["rules"].([]any)
		ids := map[string]int{}
		for i, x := range rules {
			rule := x.(map[string]any)
			id, _ := rule["id"].(string)
			if id == "" {
				return fmt.Errorf("rule %d has no id", i)
			}
			if _, dup := ids[id]; dup {
				return fmt.Errorf("rule id %s twice", id)
			}
			ids[id] = i
			if t, _ := dig(rule, "shortDescription", "text").(string); t == "" {
				return fmt.Errorf("rule %s: shortDescription.text missing", id)
			}
			if t, _ := dig(rule, "help", "text").(string); t == "" {
				return fmt.Errorf("rule %s: help.text missing", id)
			}
			switch dig(rule, "defaultConfiguration", "level") {
			case "none", "note", "warning", "error":
			default:
				return fmt.Errorf("rule %s: bad level", id)
			}
		}
		results, ok := run["results"].([]any)
		if !ok {
			return fmt.Errorf("results missing (must be an array, even empty)")
		}
		for i, x := range results {
			res := x.(map[string]any)
			if t, _ := dig(res, "message", "text").(string); t == "" {
				return fmt.Errorf("result %d: message.text missing", i)
			}
			id, _ := res["ruleId"].(string)
			idx, hasIdx := res["ruleIndex"].(float64)
			if want, ok := ids[id]; !ok || !hasIdx || int(idx) != want {
				return fmt.Errorf("result %d: ruleId %q / ruleIndex %v do not match the rules", i, id, res["ruleIndex"])
			}
			switch res["level"] {
			case "none", "note", "warning", "error":
			default:
				return fmt.Errorf("result %d: bad level %v", i, res["level"])
			}
			locs, _ := res["locations"].([]any)
			if len(locs) == 0 {
				return fmt.Errorf("result %d: GitHub needs a location", i)
			}
			loc := locs[0].(map[string]any)
			if u, _ := dig(loc, "physicalLocation", "artifactLocation", "uri").(string); u == "" {
				return fmt.Errorf("result %d: artifactLocation.uri missing", i)
			}
			if l, _ := dig(loc, "physicalLocation", "region", "startLine").(float64); l < 1 {
				return fmt.Errorf("result %d: region.startLine must be >= 1", i)
			}
			fp, _ := res["partialFingerprints"].(map[string]any)
			if s, _ := fp[FingerprintKey].(string); s == "" {
				return fmt.Errorf("result %d: partialFingerprints.%s missing", i, FingerprintKey)
			}
		}
	}
	return nil
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestSARIFStructure(t *testing.T) {
	r := sampleReport(t)
	var b bytes.Buffer
	if err := Write(&b, FormatSARIF, r, false); err != nil {
		t.Fatal(err)
	}
	if err := checkSARIF(b.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	var log sarifLog
	json.Unmarshal(b.Bytes(), &log)
	run := log.Runs[0]
	if len(run.Results) != 3 || run.Results[1].Locations[0].PhysicalLocation.Region.StartLine != 5 {
		t.Errorf("results = %+v", run.Results)
	}
	if rule := run.Tool.Driver.Rules[0]; rule.ShortDescription.Text != "Unguarded read-modify-write" || rule.FullDescription.Text != "A session read a row and wrote it back." {
		t.Errorf("rule = %+v", rule)
	}
	// The checker must be able to fail.
	if err := checkSARIF([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[]}},"results":[{"ruleId":"A","message":{"text":"m"}}]}]}`)); err == nil {
		t.Error("checker accepted a result without rule or location")
	}
	// Rules that could not run are tool notifications.
	b.Reset()
	r.Skipped = []SkippedRule{{ID: "RMW006", Name: "lost-update-observed", Reason: "no rows"}}
	Write(&b, FormatSARIF, r, false)
	if err := checkSARIF(b.Bytes()); err != nil || !strings.Contains(b.String(), `"toolExecutionNotifications"`) {
		t.Errorf("with skipped rules: %v\n%s", err, b.String())
	}
	// No findings: still a valid log with an empty results array.
	b.Reset()
	empty := &Report{Result: &Result{}, Rules: testRules}
	Write(&b, FormatSARIF, empty, false)
	if err := checkSARIF(b.Bytes()); err != nil {
		t.Errorf("empty: %v", err)
	}
}
