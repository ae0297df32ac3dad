// Package demo plays the lost-update story that `pgrmw demo` shows a
// newcomer: two services credit loyalty points to the same user at the same
// moment, each over its own connection through the proxy.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The story's numbers: Priya (user 42) has 100 points; the Order Service
// credits 150 and the Referral Service 400 at the same moment.
const (
	UserID         = 42
	InitialBalance = 100
	OrderCredit    = 150
	ReferralCredit = 400
	Expected       = InitialBalance + OrderCredit + ReferralCredit
)

// Variant is one way the services write the balance.
type Variant string

const (
	Naive       Variant = "naive read-then-write"
	Optimistic  Variant = "optimistic (version column)"
	Pessimistic Variant = "pessimistic (SELECT … FOR UPDATE)"
	Atomic      Variant = "atomic (balance = balance + $1)"
)

// Schema creates the table and Priya's row; run directly against PostgreSQL.
const Schema = `
DROP TABLE IF EXISTS users;
CREATE TABLE users (
    id      int PRIMARY KEY,
    name    text NOT NULL,
    balance int NOT NULL,
    version int NOT NULL DEFAULT 0
);
INSERT INTO users (id, name, balance) VALUES (42, 'Priya', 100);`

// ServiceResult is what one service reports after its attempt.
type ServiceResult struct {
	Service  string
	Credit   int
	Attempts int
	Err      error // the error the service saw, e.g. pgrmw refusing the write
}

// Race runs both services concurrently against dsn (each connection named
// after its service through application_name) and returns their results.
// The interleaving is made deterministic with channels between the
// goroutines, so the lost update happens every time the variant allows it.
func Race(ctx context.Context, dsn string, v Variant) ([]ServiceResult, error) {
	order, err := connect(ctx, dsn, "order-service")
	if err != nil {
		return nil, err
	}
	defer order.Close(context.Background())
	referral, err := connect(ctx, dsn, "referral-service")
	if err != nil {
		return nil, err
	}
	defer referral.Close(context.Background())

	s := newStage()
	results := make([]ServiceResult, 2)
	done := make(chan struct{}, 2)
	run := func(i int, conn *pgx.Conn, name string, credit int, first bool) {
		defer func() { done <- struct{}{} }()
		res := ServiceResult{Service: name, Credit: credit}
		res.Attempts, res.Err = creditBalance(ctx, conn, v, credit, first, s)
		results[i] = res
	}
	go run(0, order, "order-service", OrderCredit, true)
	go run(1, referral, "referral-service", ReferralCredit, false)
	for i := 0; i < 2; i++ {
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			return results, errors.New("demo services did not finish within 30s")
		}
	}
	return results, nil
}

// stage sequences the two services: both read before either writes (the
// race window), and the Order Service writes first.
type stage struct {
	orderRead, referralRead, orderWrote chan struct{}
}

func newStage() *stage {
	return &stage{orderRead: make(chan struct{}), referralRead: make(chan struct{}), orderWrote: make(chan struct{})}
}

func (s *stage) afterRead(first bool) {
	if first {
		close(s.orderRead)
		<-s.referralRead
		return
	}
	close(s.referralRead)
	<-s.orderRead
	<-s.orderWrote
}

func (s *stage) afterWrite(first bool) {
	if first {
		closeOnce(s.orderWrote)
	}
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

func creditBalance(ctx context.Context, conn *pgx.Conn, v Variant, credit int, first bool, s *stage) (int, error) {
	switch v {
	case Naive:
		var balance int
		if err := conn.QueryRow(ctx, `SELECT balance FROM users WHERE id = $1`, UserID).Scan(&balance); err != nil {
			s.afterRead(first)
			s.afterWrite(first)
			return 1, fmt.Errorf("read balance: %w", err)
		}
		s.afterRead(first)
		_, err := conn.Exec(ctx, `UPDATE users SET balance = $1 WHERE id = $2`, balance+credit, UserID)
		s.afterWrite(first)
		if err != nil {
			return 1, fmt.Errorf("write balance: %w", err)
		}
		return 1, nil

	case Optimistic:
		const maxAttempts = 3
		for attempt := 1; attempt <= maxAttempts; attempt++ {
			var balance, version int
			err := conn.QueryRow(ctx, `SELECT balance, version FROM users WHERE id = $1`, UserID).Scan(&balance, &version)
			if attempt == 1 {
				s.afterRead(first)
			}
			if err != nil {
				s.afterWrite(first)
				return attempt, fmt.Errorf("read balance: %w", err)
			}
			tag, err := conn.Exec(ctx,
				`UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3`,
				balance+credit, UserID, version)
			if attempt == 1 {
				s.afterWrite(first)
			}
			if err != nil {
				return attempt, fmt.Errorf("write balance: %w", err)
			}
			if tag.RowsAffected() == 1 {
				return attempt, nil
			}
			// UPDATE 0: someone else changed the row since our read; re-read and retry.
		}
		return maxAttempts, fmt.Errorf("gave up after %d optimistic conflicts", maxAttempts)

	case Pessimistic:
		// The Order Service takes the row lock first; the Referral Service
		// starts while it is held and waits on it, as a real race would.
		if !first {
			<-s.orderRead
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var balance int
			err := tx.QueryRow(ctx, `SELECT balance FROM users WHERE id = $1 FOR UPDATE`, UserID).Scan(&balance)
			if first {
				closeOnce(s.orderRead)
				// Hold the lock long enough for the Referral Service (already
				// connected, released by orderRead) to queue on it, and well
				// under RMW004's 50 ms: a short lock is the point of this fix.
				time.Sleep(10 * time.Millisecond)
			}
			if err != nil {
				return fmt.Errorf("lock and read balance: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE users SET balance = $1 WHERE id = $2`, balance+credit, UserID); err != nil {
				return fmt.Errorf("write balance: %w", err)
			}
			return nil
		})
		if first {
			closeOnce(s.orderRead)
		}
		return 1, err

	case Atomic:
		s.afterRead(first)
		_, err := conn.Exec(ctx, `UPDATE users SET balance = balance + $1 WHERE id = $2`, credit, UserID)
		s.afterWrite(first)
		if err != nil {
			return 1, fmt.Errorf("credit balance: %w", err)
		}
		return 1, nil
	}
	return 0, fmt.Errorf("unknown variant %q", v)
}

func connect(ctx context.Context, dsn, app string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DSN: %w", err)
	}
	cfg.RuntimeParams["application_name"] = app
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: connect: %w", app, err)
	}
	return conn, nil
}

// Balance reads Priya's stored balance.
func Balance(ctx context.Context, dsn string) (int, error) {
	conn, err := connect(ctx, dsn, "demo-check")
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	var b int
	if err := conn.QueryRow(ctx, `SELECT balance FROM users WHERE id = $1`, UserID).Scan(&b); err != nil {
		return 0, fmt.Errorf("read balance: %w", err)
	}
	return b, nil
}

// Reset recreates the table with Priya's 100 points.
func Reset(ctx context.Context, dsn string) error {
	conn, err := connect(ctx, dsn, "demo-setup")
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, Schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// SQLState returns the SQLSTATE of a PostgreSQL error, or "".
func SQLState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
