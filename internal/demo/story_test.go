package demo

import (
	"context"
	"os"
	"testing"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

var srv *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, pgtest.Options{}, &srv)) }

// The story must behave the same every run directly against PostgreSQL:
// the naive variant loses the Order Service's 150, the guarded ones do not.
func TestRaceOutcomesDirect(t *testing.T) {
	ctx := context.Background()
	dsn := srv.URL("postgres")
	want := map[Variant]int{Naive: InitialBalance + ReferralCredit, Optimistic: Expected, Pessimistic: Expected, Atomic: Expected}
	for _, v := range []Variant{Naive, Optimistic, Pessimistic, Atomic} {
		for run := 0; run < 3; run++ {
			if err := Reset(ctx, dsn); err != nil {
				t.Fatal(err)
			}
			results, err := Race(ctx, dsn, v)
			if err != nil {
				t.Fatalf("%s: %v", v, err)
			}
			for _, r := range results {
				if r.Err != nil {
					t.Fatalf("%s: %s: %v", v, r.Service, r.Err)
				}
			}
			got, err := Balance(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if got != want[v] {
				t.Fatalf("%s run %d: balance %d, want %d", v, run, got, want[v])
			}
			if v == Optimistic && results[1].Attempts != 2 {
				t.Fatalf("optimistic: referral attempts = %d, want 2 (one conflict, one retry)", results[1].Attempts)
			}
		}
	}
}
