package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

const sample = `-- A comment.
-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int);
-- config: window: 5s
-- protocols: simple
-- startup order: options=-c default_transaction_isolation=serializable
order:    SELECT balance FROM users WHERE id = $1 -- args: 42
referral: UPDATE users SET balance = $1, note = $2 WHERE id = $3  -- args: 500, 'it''s, here', 42   -- want RMW001 /balance/ -- want RMW006
order:    UPDATE users SET balance = 1 -- a plain SQL comment -- blocks -- error 40001
order:    \sleep 20ms
referral: SELECT * FROM t WHERE id = ANY($1) -- args: {1, 2,3}, NULL, true
`

func TestParse(t *testing.T) {
	sc, err := Parse("sample", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Setup) != 1 || sc.Config != "window: 5s\n" || !sc.Supports(Simple) || sc.Supports(Extended) {
		t.Errorf("directives: %+v", sc)
	}
	if sc.Startup["order"]["options"] != "-c default_transaction_isolation=serializable" {
		t.Errorf("startup: %v", sc.Startup)
	}
	if !reflect.DeepEqual(sc.Sessions, []string{"order", "referral"}) || len(sc.Steps) != 5 {
		t.Fatalf("sessions %v, %d steps", sc.Sessions, len(sc.Steps))
	}
	s1 := sc.Steps[1]
	if !reflect.DeepEqual(s1.Args, []any{int64(500), "it's, here", int64(42)}) {
		t.Errorf("args: %#v", s1.Args)
	}
	if len(s1.Wants) != 2 || s1.Wants[0].Rule != "RMW001" || s1.Wants[0].Message.String() != "balance" || s1.Wants[1].Rule != "RMW006" {
		t.Errorf("wants: %+v", s1.Wants)
	}
	s2 := sc.Steps[2]
	if s2.SQL != "UPDATE users SET balance = 1 -- a plain SQL comment" || !s2.Blocks || s2.Error != "40001" {
		t.Errorf("step 2: %+v", s2)
	}
	if sc.Steps[3].Sleep != 20*time.Millisecond {
		t.Errorf("sleep: %v", sc.Steps[3].Sleep)
	}
	if !reflect.DeepEqual(sc.Steps[4].Args, []any{[]int64{1, 2, 3}, nil, true}) {
		t.Errorf("args: %#v", sc.Steps[4].Args)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{
		"no colon here",
		"s: SELECT 1 -- want RMW",
		"s: SELECT 1 -- args: 'open",
		"-- protocols: carrier-pigeon\ns: SELECT 1",
		"-- only comments",
	} {
		if _, err := Parse("bad", []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestCheckFindings(t *testing.T) {
	sc, err := Parse("x", []byte("a: SELECT 1\nb: SELECT 2 -- want RMW001 /row id=42/\na: SELECT 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	res := &Result{}
	for i, st := range sc.Steps {
		res.Steps = append(res.Steps, &StepResult{Step: st, Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i)*time.Second + time.Millisecond)})
	}
	f := func(app string, at time.Duration, rule, msg string) analyzer.Finding {
		return analyzer.Finding{Rule: rule, Message: msg, Session: analyzer.SessionInfo{ApplicationName: app}, Time: t0.Add(at)}
	}
	ok := []analyzer.Finding{f("b", 1500*time.Millisecond, "RMW001", "users.balance of row id=42 …")}
	if p := CheckFindings(sc, res, ok); len(p) != 0 {
		t.Errorf("expected pass, got %v", p)
	}
	// Wrong message, an unexpected finding on a's last step, and one of an
	// unknown session: three problems plus the missing want.
	bad := []analyzer.Finding{f("b", 1500*time.Millisecond, "RMW001", "row id=7"), f("a", 5*time.Second, "RMW002", "x"), f("zz", 0, "RMW001", "y")}
	p := CheckFindings(sc, res, bad)
	if len(p) != 4 || !strings.Contains(strings.Join(p, "\n"), "missing RMW001") {
		t.Errorf("problems: %q", p)
	}
}
