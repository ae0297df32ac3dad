package scenario

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// CheckSteps compares a run's step outcomes with the scenario: errors where
// none was expected, an expected SQLSTATE that did not come, a "blocks" step
// that did not block.
func CheckSteps(sc *Scenario, res *Result) []string {
	var problems []string
	for _, r := range res.Steps {
		st := r.Step
		switch {
		case st.Error != "" && r.SQLState != st.Error:
			problems = append(problems, fmt.Sprintf("line %d (%s): want error %s, got %v", st.Line, st.Session, st.Error, r.Err))
		case st.Error == "" && r.Err != nil:
			problems = append(problems, fmt.Sprintf("line %d (%s): unexpected error: %v", st.Line, st.Session, r.Err))
		}
		if st.Blocks && !r.Blocked {
			problems = append(problems, fmt.Sprintf("line %d (%s): expected to block on a lock, completed at once", st.Line, st.Session))
		}
	}
	return problems
}

// Attribute assigns each finding to a step: the last step of the finding's
// session (matched by application_name) that started at or before the
// finding's time. Findings that match no step come back in unmatched.
func Attribute(res *Result, findings []analyzer.Finding) (byStep map[int][]analyzer.Finding, unmatched []analyzer.Finding) {
	byStep = map[int][]analyzer.Finding{}
	for _, f := range findings {
		best := -1
		for i, r := range res.Steps {
			if r.Step.Session != f.Session.ApplicationName || r.Step.Sleep > 0 {
				continue
			}
			if !r.Start.After(f.Time) {
				best = i
			}
		}
		if best < 0 {
			// Before the session's first step (should not happen) or a
			// session with no application_name: give it to the first step
			// of the session if there is one.
			for i, r := range res.Steps {
				if r.Step.Session == f.Session.ApplicationName {
					best = i
					break
				}
			}
		}
		if best < 0 {
			unmatched = append(unmatched, f)
			continue
		}
		byStep[best] = append(byStep[best], f)
	}
	return byStep, unmatched
}

// CheckFindings compares findings with the "want" annotations step by step:
// a missing finding and an unexpected one both are problems.
func CheckFindings(sc *Scenario, res *Result, findings []analyzer.Finding) []string {
	byStep, unmatched := Attribute(res, findings)
	var problems []string
	for _, f := range unmatched {
		problems = append(problems, fmt.Sprintf("finding for unknown session %q: %s %s", f.Session.ApplicationName, f.Rule, f.Message))
	}
	for i, r := range res.Steps {
		got := append([]analyzer.Finding(nil), byStep[i]...)
		st := r.Step
		for _, w := range st.Wants {
			j := -1
			for k, f := range got {
				if f.Rule == w.Rule && (w.Message == nil || w.Message.MatchString(f.Message)) {
					j = k
					break
				}
			}
			if j < 0 {
				problems = append(problems, fmt.Sprintf("line %d (%s): missing %s%s; got %s", st.Line, st.Session, w.Rule, wantText(w), describe(byStep[i])))
				continue
			}
			got = append(got[:j], got[j+1:]...)
		}
		for _, f := range got {
			problems = append(problems, fmt.Sprintf("line %d (%s): unexpected %s: %s", st.Line, st.Session, f.Rule, f.Message))
		}
	}
	return problems
}

// WantedRules returns the expected rule ids of the whole scenario, sorted
// (for checks that cannot attribute findings to steps, e.g. a server log
// with coarse timestamps).
func (sc *Scenario) WantedRules() []string {
	var out []string
	for _, st := range sc.Steps {
		for _, w := range st.Wants {
			out = append(out, w.Rule)
		}
	}
	sort.Strings(out)
	return out
}

// RulesOf returns the rule ids of findings, sorted.
func RulesOf(findings []analyzer.Finding) []string {
	var out []string
	for _, f := range findings {
		out = append(out, f.Rule)
	}
	sort.Strings(out)
	return out
}

func wantText(w Want) string {
	if w.Message == nil {
		return ""
	}
	return " /" + w.Message.String() + "/"
}

func describe(fs []analyzer.Finding) string {
	if len(fs) == 0 {
		return "nothing"
	}
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Rule+" ("+f.Message+")")
	}
	return strings.Join(parts, "; ")
}
