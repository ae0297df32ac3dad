package lint

import (
	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/rules"
)

// DefaultOptions runs the analyzer with every rule of package rules that cfg
// does not disable: what `pgrmw lint` and `pgrmw report` use.
func DefaultOptions(cfg analyzer.Config) Options {
	all := rules.All()
	var infos []RuleInfo
	for _, r := range all {
		if cfg.Disabled(r) {
			continue
		}
		infos = append(infos, RuleInfo{ID: r.ID, Name: r.Name, Severity: r.Severity, Doc: r.Doc, NeedsResults: r.NeedsResults})
	}
	return Options{
		Rules: infos,
		NewEngine: func(hasResults bool) (Engine, error) {
			a := analyzer.New(cfg, all)
			if hasResults {
				return a, nil
			}
			return serverLogEngine{a}, nil
		},
	}
}

// serverLogEngine feeds a server log's events without its errors. The
// analyzer takes any server message as proof that the stream carries server
// responses, and then waits for ReadyForQuery to end transactions, which a
// log never has; without them it follows transactions from the statements
// themselves. The rules that use errors need results anyway (NeedsResults),
// so nothing is lost that could have run.
type serverLogEngine struct{ a *analyzer.Analyzer }

func (e serverLogEngine) Feed(ev *analyzer.Event) []analyzer.Finding {
	if ev.Kind == analyzer.EventError {
		return nil
	}
	return e.a.Feed(ev)
}

func (e serverLogEngine) Close() []analyzer.Finding { return e.a.Close() }
