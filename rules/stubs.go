package rules

import "github.com/pgrmw/pgrmw/analyzer"

// Issue 6 rules are filled in by their own files; until then they are
// declared here so All() is stable.
var (
	RMW003 = &analyzer.Rule{ID: "RMW003", Name: "ignored-optimistic-conflict", Severity: analyzer.SeverityError, Doc: "# RMW003 ignored-optimistic-conflict\n", NeedsResults: true, Run: func(*analyzer.Pass) {}}
	RMW004 = &analyzer.Rule{ID: "RMW004", Name: "lock-held-too-long", Severity: analyzer.SeverityWarning, Doc: "# RMW004 lock-held-too-long\n", Run: func(*analyzer.Pass) {}}
	RMW006 = &analyzer.Rule{ID: "RMW006", Name: "lost-update-observed", Severity: analyzer.SeverityError, Doc: "# RMW006 lost-update-observed\n", NeedsResults: true, Run: func(*analyzer.Pass) {}}
	RMW007 = &analyzer.Rule{ID: "RMW007", Name: "hot-row-contention", Severity: analyzer.SeverityWarning, Doc: "# RMW007 hot-row-contention\n", NeedsResults: true, Run: func(*analyzer.Pass) {}}
	RMW008 = &analyzer.Rule{ID: "RMW008", Name: "serialization-failure-not-retried", Severity: analyzer.SeverityWarning, Doc: "# RMW008 serialization-failure-not-retried\n", NeedsResults: true, Run: func(*analyzer.Pass) {}}
)
