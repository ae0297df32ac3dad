package pgtest

import (
	"os"
	"strings"
	"testing"
)

var srv *Server

func TestMain(m *testing.M) { os.Exit(Main(m, Options{}, &srv)) }

func TestServerAnswersQueries(t *testing.T) {
	out, err := srv.Psql("postgres", "SELECT current_setting('fsync'), 40 + 2")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != "off|42" {
		t.Fatalf("psql output = %q, want off|42", got)
	}
	if err := srv.CreateDatabase("pgtest_db"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Psql("pgtest_db", "SELECT 1"); err != nil {
		t.Fatal(err)
	}
}
