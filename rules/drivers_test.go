package rules

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq"

	"github.com/pgrmw/pgrmw/analyzer"
)

// TestDriversThroughProxy: database/sql with lib/pq (unnamed statements,
// Describe of the portal, text parameters) and with pgx's stdlib (binary
// parameters), through the real proxy: the read-modify-write is found with
// the row identified in both.
func TestDriversThroughProxy(t *testing.T) {
	for _, driver := range []string{"postgres", "pgx"} {
		t.Run(driver, func(t *testing.T) {
			db := "drv_" + strings.ReplaceAll(driver, "/", "_")
			if err := srv.CreateDatabase(db); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Psql(db, "CREATE TABLE users (id bigint PRIMARY KEY, balance numeric(12,2), version int NOT NULL DEFAULT 0); INSERT INTO users VALUES (42, 100.50, 0)"); err != nil {
				t.Fatal(err)
			}
			col := &collector{a: analyzer.New(analyzer.DefaultConfig(), All())}
			url := startProxy(t, db, col) + "&application_name=" + driver
			conn, err := sql.Open(driver, url)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var balance string
			if err := conn.QueryRowContext(ctx, "SELECT balance FROM users WHERE id = $1", int64(42)).Scan(&balance); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, "UPDATE users SET balance = $1 WHERE id = $2", "250.50", int64(42)); err != nil {
				t.Fatal(err)
			}
			// The guarded form is not a finding.
			if _, err := conn.ExecContext(ctx, "UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3", "300", int64(42), 0); err != nil {
				t.Fatal(err)
			}
			conn.Close()
			col.waitEnded(t, 1)
			col.mu.Lock()
			defer col.mu.Unlock()
			if len(col.findings) != 1 {
				t.Fatalf("want one finding, got %+v", col.findings)
			}
			f := col.findings[0]
			if f.Rule != "RMW001" || f.Key == nil || f.Key.Value != "42" || !strings.Contains(f.Fix, "balance = balance + 150") {
				t.Errorf("finding: %s key=%+v fix=%s", f.Rule, f.Key, f.Fix)
			}
		})
	}
}
