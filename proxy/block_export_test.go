package proxy

import (
	"testing"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

// Hooks for the block-mode tests of package proxy_test (block_*_test.go),
// which use internal/pipeline and so cannot live in package proxy.

// BlockTestServer is the PostgreSQL server TestMain started.
func BlockTestServer() *pgtest.Server { return srv }

// StartBlockTestProxy serves cfg until the test ends and returns its address.
func StartBlockTestProxy(t testing.TB, cfg Config) string {
	t.Helper()
	return startProxy(t, cfg).addr
}
