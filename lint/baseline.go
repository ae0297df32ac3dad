package lint

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Baseline is the set of fingerprints a team has accepted: with --baseline,
// only findings whose fingerprint is not in it count. The file lists each
// fingerprint with its rule and an example message so a reviewer can read it.
type Baseline struct {
	Format  string          `json:"format"` // "pgrmw-baseline"
	Version int             `json:"version"`
	Entries []BaselineEntry `json:"fingerprints"`

	known map[string]bool
}

// BaselineEntry is one accepted code path.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Table       string `json:"table,omitempty"`
	Message     string `json:"message,omitempty"`
	Count       int    `json:"count"`
}

const baselineFormat = "pgrmw-baseline"

// NewBaseline records the fingerprints of fs.
func NewBaseline(fs []analyzer.Finding) *Baseline {
	b := &Baseline{Format: baselineFormat, Version: 1, Entries: []BaselineEntry{}}
	byFP := map[string]int{}
	for _, f := range fs {
		if i, ok := byFP[f.Fingerprint]; ok {
			b.Entries[i].Count++
			continue
		}
		byFP[f.Fingerprint] = len(b.Entries)
		b.Entries = append(b.Entries, BaselineEntry{Fingerprint: f.Fingerprint, Rule: f.Rule, Table: f.Table, Message: oneLine(f.Message), Count: 1})
	}
	// Sorted, so a re-recorded baseline diffs cleanly in review.
	sort.Slice(b.Entries, func(i, j int) bool {
		if b.Entries[i].Rule != b.Entries[j].Rule {
			return b.Entries[i].Rule < b.Entries[j].Rule
		}
		return b.Entries[i].Fingerprint < b.Entries[j].Fingerprint
	})
	return b
}

// WriteFile writes the baseline as indented JSON.
func (b *Baseline) WriteFile(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// LoadBaseline reads a baseline written by WriteFile.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if b.Format != baselineFormat {
		return nil, fmt.Errorf("baseline %s: not a pgrmw baseline (format %q)", path, b.Format)
	}
	return &b, nil
}

// Contains reports whether a fingerprint is in the baseline.
func (b *Baseline) Contains(fingerprint string) bool {
	if b.known == nil {
		b.known = make(map[string]bool, len(b.Entries))
		for _, e := range b.Entries {
			b.known[e.Fingerprint] = true
		}
	}
	return b.known[fingerprint]
}

// Filter removes the findings the baseline knows from r and returns how many
// it removed.
func (b *Baseline) Filter(r *Result) int {
	var fs []analyzer.Finding
	var locs []Location
	removed := 0
	for i, f := range r.Findings {
		if b.Contains(f.Fingerprint) {
			removed++
			continue
		}
		fs = append(fs, f)
		if i < len(r.Locations) {
			locs = append(locs, r.Locations[i])
		}
	}
	r.Findings, r.Locations = fs, locs
	return removed
}

// FailOn values.
const (
	FailOnNone = "none"
)

// ParseFailOn reads --fail-on: error, warning, info or none (0 = never fail).
func ParseFailOn(s string) (analyzer.Severity, error) {
	if s == FailOnNone {
		return 0, nil
	}
	sev, err := analyzer.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("--fail-on %q: want error, warning, info or none", s)
	}
	return sev, nil
}

// Failing counts findings at or above threshold (0: none count).
func Failing(fs []analyzer.Finding, threshold analyzer.Severity) int {
	if threshold == 0 {
		return 0
	}
	n := 0
	for _, f := range fs {
		if f.Severity >= threshold {
			n++
		}
	}
	return n
}
