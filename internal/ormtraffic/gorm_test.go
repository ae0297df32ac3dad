package ormtraffic

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Account is the GORM model every case uses.
type Account struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Owner   string
	Balance int
	Version int `gorm:"not null;default:1"`
}

// gormCase is one way application code changes a balance. Run gets a
// function opening a *gorm.DB whose sessions carry the given
// application_name, so findings can be told apart by case.
type gormCase struct {
	name string
	// want: application_name → expected rule ids (sorted); apps not listed
	// must have no findings.
	want map[string][]string
	run  func(ctx context.Context, open func(app string) (*gorm.DB, error), id int64) error
	// balance: the row's balance the database must hold afterwards (the
	// case's own row, id, is its index + 1; rows 1-40 start at 100).
	balance int
	// fixture: the testdata/orm fixture recorded from this case; when it is
	// in KNOWN_FAILURES, a mismatch for the case's application_name is
	// logged instead of failing.
	fixture string
}

const startBalance = 100

func gormCases() []gormCase {
	return []gormCase{
		{
			// db.Save writes every field back, the read owner included.
			name: "naive_save", want: map[string][]string{"naive_save": {"RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("naive_save")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				a.Balance += 150
				return db.WithContext(ctx).Save(&a).Error
			},
		},
		{
			name: "naive_update", want: map[string][]string{"naive_update": {"RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("naive_update")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Model(&a).Update("balance", a.Balance+150).Error
			},
		},
		{
			// Updates with a struct: only non-zero fields are written.
			name: "naive_updates_struct", want: map[string][]string{"naive_updates_struct": {"RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("naive_updates_struct")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).Where("owner = ?", "owner3").First(&a).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Model(&a).Updates(Account{Balance: a.Balance + 150}).Error
			},
		},
		{
			name: "atomic_expr", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("atomic_expr")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Model(&a).Update("balance", gorm.Expr("balance + ?", 150)).Error
			},
		},
		{
			name: "atomic_returning", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("atomic_returning")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Model(&a).Clauses(clause.Returning{}).
					Update("balance", gorm.Expr("balance + ?", 150)).Error
			},
		},
		{
			name: "for_update_tx", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("for_update_tx")
				if err != nil {
					return err
				}
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var a Account
					if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
						return err
					}
					return tx.Model(&a).Update("balance", a.Balance+150).Error
				})
			},
		},
		{
			name: "for_no_key_update_tx", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("for_no_key_update_tx")
				if err != nil {
					return err
				}
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var a Account
					if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).First(&a, id).Error; err != nil {
						return err
					}
					a.Balance += 150
					return tx.Save(&a).Error
				})
			},
		},
		{
			// The lock is taken in its own (implicit) transaction and is gone
			// before the write: no guard at all.
			name: "for_update_without_tx", want: map[string][]string{"for_update_without_tx": {"RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("for_update_without_tx")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Model(&a).Update("balance", a.Balance+150).Error
			},
		},
		{
			name: "version_guard", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("version_guard")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				res := db.WithContext(ctx).Model(&Account{}).Where("id = ? AND version = ?", a.ID, a.Version).
					Updates(map[string]any{"balance": a.Balance + 150, "version": gorm.Expr("version + 1")})
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected != 1 {
					return fmt.Errorf("version_guard: %d rows updated", res.RowsAffected)
				}
				return nil
			},
		},
		{
			// Two writers read version 1; the second's guarded UPDATE matches
			// nothing and the code never looks at RowsAffected: the user's
			// +400 is silently dropped.
			name: "version_conflict_ignored", want: map[string][]string{"version_conflict_ignored_b": {"RMW003"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				da, err := open("version_conflict_ignored_a")
				if err != nil {
					return err
				}
				dbb, err := open("version_conflict_ignored_b")
				if err != nil {
					return err
				}
				var a, b Account
				if err := da.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				if err := dbb.WithContext(ctx).First(&b, id).Error; err != nil {
					return err
				}
				if err := da.WithContext(ctx).Model(&Account{}).Where("id = ? AND version = ?", a.ID, a.Version).
					Updates(map[string]any{"balance": a.Balance + 150, "version": gorm.Expr("version + 1")}).Error; err != nil {
					return err
				}
				if err := dbb.WithContext(ctx).Model(&Account{}).Where("id = ? AND version = ?", b.ID, b.Version).
					Updates(map[string]any{"balance": b.Balance + 400, "version": gorm.Expr("version + 1")}).Error; err != nil {
					return err
				}
				// …and the request goes on to write elsewhere.
				return dbb.WithContext(ctx).Model(&Account{}).Where("id = ?", 1).Update("owner", "audited").Error
			},
		},
		{
			// Writes a column it never read (Select narrowed the read).
			name: "blind_write", balance: 7,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("blind_write")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).Select("id", "owner").First(&a, id).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Model(&Account{ID: id}).Update("balance", 7).Error
			},
		},
		{
			// Upsert that adds in SQL (ON CONFLICT … DO UPDATE with the
			// existing value).
			name: "upsert_atomic", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("upsert_atomic")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				return db.WithContext(ctx).Clauses(clause.OnConflict{
					Columns:   []clause.Column{{Name: "id"}},
					DoUpdates: clause.Assignments(map[string]any{"balance": gorm.Expr(`"accounts"."balance" + "excluded"."balance"`)}),
				}).Create(&Account{ID: id, Owner: a.Owner, Balance: 150, Version: 1}).Error
			},
		},
		{
			// Upsert that overwrites with a value computed from the read.
			name: "upsert_overwrite", want: map[string][]string{"upsert_overwrite": {"RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("upsert_overwrite")
				if err != nil {
					return err
				}
				var a Account
				if err := db.WithContext(ctx).First(&a, id).Error; err != nil {
					return err
				}
				a.Balance += 150
				return db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&a).Error
			},
		},
		{
			// pgx sends "begin isolation level repeatable read".
			name: "repeatable_read_tx", balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("repeatable_read_tx")
				if err != nil {
					return err
				}
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var a Account
					if err := tx.First(&a, id).Error; err != nil {
						return err
					}
					return tx.Model(&a).Update("balance", a.Balance+150).Error
				}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
			},
		},
		{
			// FOR KEY SHARE only keeps the key stable: others may still
			// update the balance in between.
			name: "for_key_share_tx", want: map[string][]string{"for_key_share_tx": {"RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("for_key_share_tx")
				if err != nil {
					return err
				}
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var a Account
					if err := tx.Clauses(clause.Locking{Strength: "KEY SHARE"}).First(&a, id).Error; err != nil {
						return err
					}
					return tx.Model(&a).Update("balance", a.Balance+150).Error
				})
			},
		},
		{
			// FOR SHARE held to COMMIT blocks every other writer: safe.
			name: "for_share_tx", balance: 250, fixture: "gorm_for_share_tx",
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("for_share_tx")
				if err != nil {
					return err
				}
				return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					var a Account
					if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).First(&a, id).Error; err != nil {
						return err
					}
					return tx.Model(&a).Update("balance", a.Balance+150).Error
				})
			},
		},
		{
			// Several rows read with one IN query, each written back.
			name: "multi_row_save", want: map[string][]string{"multi_row_save": {"RMW001", "RMW001"}}, balance: 250,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				db, err := open("multi_row_save")
				if err != nil {
					return err
				}
				var accs []Account
				if err := db.WithContext(ctx).Find(&accs, []int64{id, 30}).Error; err != nil {
					return err
				}
				if len(accs) != 2 {
					return fmt.Errorf("multi_row_save: %d rows", len(accs))
				}
				for i := range accs {
					accs[i].Balance += 150
					if err := db.WithContext(ctx).Save(&accs[i]).Error; err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			// Both writers in REPEATABLE READ: the second fails with 40001,
			// retries its transaction and adds to the new balance. Healthy.
			name:    "repeatable_read_race_retried",
			want:    map[string][]string{"rr_race_a": {"RMW004"}},
			balance: 650,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				return raceRepeatableRead(ctx, open, id)
			},
		},
		{
			// Two request handlers, each with its own pool, read the same
			// balance and write back their own sum: the +150 is lost for real.
			name:    "race_lost_update",
			want:    map[string][]string{"race_a": {"RMW001"}, "race_b": {"RMW001", "RMW006"}},
			balance: 500,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				return race(ctx, open, id, false)
			},
		},
		{
			// The same inside READ COMMITTED transactions: race_b's UPDATE
			// waits for race_a's row lock, then overwrites race_a's commit.
			name:    "race_lost_update_tx",
			want:    map[string][]string{"racetx_a": {"RMW001", "RMW004"}, "racetx_b": {"RMW001", "RMW006"}},
			balance: 500,
			run: func(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
				return race(ctx, open, id, true)
			},
		},
	}
}

// race runs two writers that both read row id, then write back read+credit:
// a first (+150), then b (+400). With inTx each runs in a transaction and b's
// UPDATE blocks on a's row lock until a commits (a holds the lock for a
// while so that b is surely waiting).
func race(ctx context.Context, open func(string) (*gorm.DB, error), id int64, inTx bool) error {
	prefix := "race"
	if inTx {
		prefix = "racetx"
	}
	da, err := open(prefix + "_a")
	if err != nil {
		return err
	}
	dbb, err := open(prefix + "_b")
	if err != nil {
		return err
	}
	readBoth := make(chan struct{})
	aWrote := make(chan struct{})
	bStarted := make(chan struct{})
	errs := make(chan error, 2)
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { readers.Wait(); close(readBoth) }()
	writer := func(db *gorm.DB, credit int, first bool) error {
		body := func(tx *gorm.DB) error {
			var acc Account
			err := tx.First(&acc, id).Error
			readers.Done()
			if err != nil {
				return err
			}
			<-readBoth
			if !first {
				<-aWrote
				close(bStarted)
			}
			if err := tx.Model(&acc).Update("balance", acc.Balance+credit).Error; err != nil {
				return err
			}
			if first {
				close(aWrote)
				if inTx {
					<-bStarted
					time.Sleep(150 * time.Millisecond) // b is now waiting on our row lock
				}
			}
			return nil
		}
		if inTx {
			return db.WithContext(ctx).Transaction(body)
		}
		return body(db.WithContext(ctx))
	}
	go func() { errs <- writer(da, 150, true) }()
	go func() { errs <- writer(dbb, 400, false) }()
	return errors.Join(<-errs, <-errs)
}

// raceRepeatableRead: a and b read row id in REPEATABLE READ transactions;
// a writes +150 and commits while b's UPDATE waits on a's row lock; b fails
// with 40001 and runs its whole transaction again.
func raceRepeatableRead(ctx context.Context, open func(string) (*gorm.DB, error), id int64) error {
	da, err := open("rr_race_a")
	if err != nil {
		return err
	}
	dbb, err := open("rr_race_b")
	if err != nil {
		return err
	}
	rr := &sql.TxOptions{Isolation: sql.LevelRepeatableRead}
	bRead := make(chan struct{})
	aWrote := make(chan struct{})
	bWriting := make(chan struct{})
	aDone := make(chan error, 1)
	go func() {
		aDone <- da.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var acc Account
			if err := tx.First(&acc, id).Error; err != nil {
				return err
			}
			<-bRead
			if err := tx.Model(&acc).Update("balance", acc.Balance+150).Error; err != nil {
				return err
			}
			close(aWrote)
			<-bWriting
			time.Sleep(100 * time.Millisecond) // b is waiting on our row lock
			return nil
		}, rr)
	}()
	var bErr error
	for attempt := 0; attempt < 3; attempt++ {
		first := attempt == 0
		bErr = dbb.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var acc Account
			if err := tx.First(&acc, id).Error; err != nil {
				return err
			}
			if first {
				close(bRead)
				<-aWrote
				close(bWriting)
			}
			return tx.Model(&acc).Update("balance", acc.Balance+400).Error
		}, rr)
		var pgErr *pgconn.PgError
		if bErr == nil || !errors.As(bErr, &pgErr) || pgErr.Code != "40001" {
			break
		}
	}
	return errors.Join(<-aDone, bErr)
}

// TestGORM drives GORM (pgx underneath) through the proxy, with the extended
// protocol (pgx's statement cache: named prepared statements) and with
// PreferSimpleProtocol, and checks each case's findings and final balance.
// PGRMW_ORM_RECORD=dir writes each run's statements as scenario lines.
func TestGORM(t *testing.T) {
	for _, simple := range []bool{false, true} {
		proto := "extended"
		if simple {
			proto = "simple"
		}
		t.Run(proto, func(t *testing.T) { runGORM(t, simple) })
	}
}

func runGORM(t *testing.T, simple bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	proto := map[bool]string{false: "extended", true: "simple"}[simple]
	db := "gorm_" + proto
	if err := srv.CreateDatabase(db); err != nil {
		t.Fatal(err)
	}
	h, err := Start(srv.URL(db), analyzer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var opened []*gorm.DB
	open := func(app string) (*gorm.DB, error) {
		dsn := h.URL(srv.User, db) + "&application_name=" + app
		g, err := gorm.Open(postgres.New(postgres.Config{DSN: dsn, PreferSimpleProtocol: simple}),
			&gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
		if err != nil {
			return nil, fmt.Errorf("gorm open %s: %w", app, err)
		}
		opened = append(opened, g)
		return g, nil
	}
	closeAll := func() {
		for _, g := range opened {
			if sqlDB, err := g.DB(); err == nil {
				sqlDB.Close()
			}
		}
		opened = nil
	}
	defer closeAll()

	// Migration and seeding run through the proxy too: real ORM traffic
	// that must not produce findings.
	mig, err := open("migrate")
	if err != nil {
		t.Fatal(err)
	}
	if err := mig.WithContext(ctx).AutoMigrate(&Account{}); err != nil {
		t.Fatalf("automigrate: %v", err)
	}
	cases := gormCases()
	var seed []Account
	for i := range 40 {
		seed = append(seed, Account{ID: int64(i + 1), Owner: fmt.Sprintf("owner%d", i+1), Balance: startBalance, Version: 1})
	}
	if err := mig.WithContext(ctx).Create(&seed).Error; err != nil {
		t.Fatalf("seed: %v", err)
	}
	known := map[string]string{}
	kf := knownFailures(t)
	for i, c := range cases {
		if why, ok := kf[c.fixture]; ok {
			known[c.name] = c.fixture + ": " + why
		}
		if err := c.run(ctx, open, int64(i+1)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		var got Account
		if err := mig.WithContext(ctx).First(&got, i+1).Error; err != nil {
			t.Fatal(err)
		}
		if got.Balance != c.balance {
			t.Errorf("%s: balance %d, want %d", c.name, got.Balance, c.balance)
		}
	}
	closeAll()
	if !h.Quiesce(5 * time.Second) {
		t.Error("sessions did not end")
	}
	findings := h.Close()
	want := map[string][]string{}
	for _, c := range cases {
		for app, rs := range c.want {
			want[app] = rs
		}
	}
	checkByApp(t, "gorm "+proto, findings, want, known)
	if st := h.Stats(); st.Panics > 0 {
		t.Errorf("analyzer panics: %d (%s)", st.Panics, st.LastPanic)
	}
	if dir := os.Getenv("PGRMW_ORM_RECORD"); dir != "" {
		record(t, dir, "gorm_"+proto, Steps(h.Events()))
	}
}

// record writes one scenario-lines file per application_name.
func record(t *testing.T, dir, prefix string, steps []Step) {
	t.Helper()
	byApp := map[string][]Step{}
	for _, st := range steps {
		byApp[st.Session] = append(byApp[st.Session], st)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var all []Step
	for app, sts := range byApp {
		all = append(all, sts...)
		p := filepath.Join(dir, prefix+"_"+strings.ReplaceAll(app, "/", "_")+".sql")
		if err := os.WriteFile(p, []byte(Scenario(sts)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, prefix+"_ALL.sql"), []byte(Scenario(steps)), 0o644); err != nil {
		t.Fatal(err)
	}
}
