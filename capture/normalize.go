package capture

import "github.com/pgrmw/pgrmw/analyzer"

// newNormalizer returns the function that rewrites binary values to canonical
// text before they are hashed. Until analyzer.Normalizer lands this is the
// identity (text-format traffic, which is what pgx and most drivers send for
// most types, hashes correctly without it).
func newNormalizer() func(*analyzer.Event) {
	return func(*analyzer.Event) {}
}
