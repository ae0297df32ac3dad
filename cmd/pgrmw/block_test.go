package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/internal/pgtest"
)

// `pgrmw proxy --mode block` as users run it: the unguarded write is
// refused with LU001 and never reaches PostgreSQL, the connection goes on,
// a safe write passes, a rule whose config action is log is not refused,
// and the capture records the session.
func TestProxyCommandBlockMode(t *testing.T) {
	srv, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if _, err := srv.Psql("postgres", "CREATE TABLE users (id int PRIMARY KEY, balance int NOT NULL); CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO users VALUES (42, 100); INSERT INTO notes VALUES (1, 'a')"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pgrmw.yaml")
	// RMW002 logs only: a version column advanced but never checked.
	if err := os.WriteFile(cfg, []byte("actions: {RMW002: log}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	capturePath := filepath.Join(dir, "capture.jsonl")
	listen := freeAddr(t)
	cmd, stderr := proxyChild(t, "proxy", "--listen", listen, "--upstream", srv.URL("postgres"), "--mode", "block",
		"--config", cfg, "--capture", capturePath, "--findings", filepath.Join(dir, "findings.jsonl"), "--shutdown-grace", "1s")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url := "postgres://" + srv.User + "@" + listen + "/postgres?sslmode=disable&application_name=blocked"
	conn := connectWhenUp(t, ctx, url, stderr)
	defer conn.Close(ctx)

	var balance int
	if err := conn.QueryRow(ctx, "SELECT balance FROM users WHERE id = $1", 42).Scan(&balance); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "UPDATE users SET balance = $1 WHERE id = $2", balance+150, 42)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "LU001" || !strings.Contains(pgErr.Message, "RMW001") || pgErr.Hint == "" {
		t.Fatalf("unguarded write: err = %v, want LU001 naming RMW001 with a hint", err)
	}
	if _, err := conn.Exec(ctx, "UPDATE users SET balance = balance + $1 WHERE id = $2", 150, 42); err != nil {
		t.Fatalf("atomic write after the refusal: %v", err)
	}
	if err := conn.QueryRow(ctx, "SELECT balance FROM users WHERE id = $1", 42).Scan(&balance); err != nil || balance != 250 {
		t.Fatalf("balance = %d (%v), want 250: the refused write must not have been applied", balance, err)
	}
	// A finding whose action is log goes through.
	if _, err := conn.Exec(ctx, "ALTER TABLE notes ADD COLUMN version int NOT NULL DEFAULT 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "UPDATE notes SET body = $1, version = version + 1 WHERE id = $2", "b", 1); err != nil {
		t.Fatalf("write flagged only by a log-action rule was refused: %v", err)
	}
	conn.Close(ctx)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("proxy exit: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), `"sqlstate":"LU001"`) {
		t.Errorf("no log line for the blocked write:\n%s", stderr)
	}
	found, err := os.ReadFile(filepath.Join(dir, "findings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(found), `"rule":"RMW002"`) || !strings.Contains(string(found), `"rule":"RMW001"`) {
		t.Errorf("findings file lacks the blocked RMW001 or the logged RMW002:\n%s", found)
	}
	r, err := capture.Open(capturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		if _, err := r.Next(); err != nil {
			break
		}
		n++
	}
	if n < 10 {
		t.Errorf("capture in block mode holds %d events", n)
	}
}
