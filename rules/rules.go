// Package rules holds pgrmw's checks, one file each with its doc embedded
// beside it. The analyzer runs them; the command wires them in.
package rules

import (
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// All returns every rule, in id order.
func All() []*analyzer.Rule {
	return []*analyzer.Rule{RMW001, RMW002, RMW003, RMW004, RMW006, RMW007, RMW008}
}

// Lookup finds a rule by id ("RMW001", any case) or name.
func Lookup(idOrName string) *analyzer.Rule {
	for _, r := range All() {
		if strings.EqualFold(r.ID, idOrName) || strings.EqualFold(r.Name, idOrName) {
			return r
		}
	}
	return nil
}
