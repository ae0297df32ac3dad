package capture

import "github.com/pgrmw/pgrmw/analyzer"

// newNormalizer returns the function that rewrites binary values to canonical
// text before they are hashed, so a value hashes the same whatever format the
// client chose. The normalizer follows each session's statements and result
// columns, so it sees every event, in order (the writer's lock gives it that).
func newNormalizer() func(*analyzer.Event) {
	return analyzer.NewNormalizer().Normalize
}
