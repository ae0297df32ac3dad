package proxy

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestSmoke(t *testing.T) {
	rec := &recorder{}
	p := startProxy(t, Config{Observer: rec})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, "select $1::int + 1", 41).Scan(&n); err != nil || n != 42 {
		t.Fatalf("got %d, %v", n, err)
	}
	conn.Close(ctx)
	for _, ev := range rec.snapshot() {
		t.Logf("%s %q %q %q", ev.Kind, ev.SQL, ev.Tag, ev.Values)
	}
}
