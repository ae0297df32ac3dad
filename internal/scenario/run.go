package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// Options say where and how to run a scenario.
type Options struct {
	// URL to connect to (the proxy's address or PostgreSQL directly); the
	// runner adds application_name=<session> and the scenario's startup
	// parameters.
	URL      string
	Protocol Protocol
	// BlockWait is how long a "blocks" step is given to start waiting on
	// its lock before the runner moves on (default 150ms).
	BlockWait time.Duration
	// StepTimeout bounds each step (default 10s); a step that hangs fails.
	StepTimeout time.Duration
	// Hook, when set, is called after each step completed (or, for a
	// blocking step, after it was started).
	Hook func(i int, r *StepResult)
}

// StepResult is what happened at one step.
type StepResult struct {
	Step     *Step
	Start    time.Time
	End      time.Time // completion (for a blocking step: when it finally completed)
	Tag      string    // command tag
	SQLState string    // when the step failed with a PostgreSQL error
	Err      error     // any failure (PostgreSQL error included)
	Rows     int
	// Blocked: a "blocks" step was still running after BlockWait.
	Blocked bool
}

// Result is the outcome of a run.
type Result struct {
	Protocol Protocol
	Steps    []*StepResult
}

// Setup runs the scenario's setup statements on a direct connection.
func Setup(ctx context.Context, sc *Scenario, connURL string) error {
	if len(sc.Setup) == 0 {
		return nil
	}
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return fmt.Errorf("setup connect: %w", err)
	}
	defer conn.Close(ctx)
	for _, q := range sc.Setup {
		if _, err := conn.Exec(ctx, q, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("setup %q: %w", q, err)
		}
	}
	return nil
}

type runningStep struct {
	res  *StepResult
	done chan struct{}
}

// Run drives the sessions step by step. It returns an error only when the run
// itself could not proceed (connection failure, a hung step); statement
// errors are in the step results.
func Run(ctx context.Context, sc *Scenario, opts Options) (*Result, error) {
	if opts.Protocol == "" {
		opts.Protocol = Extended
	}
	if opts.BlockWait <= 0 {
		opts.BlockWait = 150 * time.Millisecond
	}
	if opts.StepTimeout <= 0 {
		opts.StepTimeout = 10 * time.Second
	}
	conns := map[string]*pgx.Conn{}
	defer func() {
		for _, name := range sc.Sessions {
			if c := conns[name]; c != nil {
				cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				c.Close(cctx)
				cancel()
			}
		}
	}()
	for _, name := range sc.Sessions {
		u, err := sessionURL(opts.URL, name, sc.Startup[name], opts.Protocol)
		if err != nil {
			return nil, err
		}
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("session %s: connect: %w", name, err)
		}
		conns[name] = c
	}
	res := &Result{Protocol: opts.Protocol}
	inflight := map[string]*runningStep{}
	wait := func(name string) error {
		r := inflight[name]
		if r == nil {
			return nil
		}
		delete(inflight, name)
		select {
		case <-r.done:
			return nil
		case <-time.After(opts.StepTimeout):
			return fmt.Errorf("line %d: blocked step of %s never completed", r.res.Step.Line, name)
		}
	}
	for i, st := range sc.Steps {
		if err := wait(st.Session); err != nil {
			return res, err
		}
		sr := &StepResult{Step: st}
		res.Steps = append(res.Steps, sr)
		if st.Sleep > 0 {
			sr.Start = time.Now()
			time.Sleep(st.Sleep)
			sr.End = time.Now()
			if opts.Hook != nil {
				opts.Hook(i, sr)
			}
			continue
		}
		conn := conns[st.Session]
		if st.Blocks {
			r := &runningStep{res: sr, done: make(chan struct{})}
			inflight[st.Session] = r
			go func() {
				defer close(r.done)
				exec(ctx, conn, st, sr, opts)
			}()
			select {
			case <-r.done:
				sr.Blocked = false
			case <-time.After(opts.BlockWait):
				sr.Blocked = true
			}
			if opts.Hook != nil {
				opts.Hook(i, sr)
			}
			continue
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			exec(ctx, conn, st, sr, opts)
		}()
		select {
		case <-done:
		case <-time.After(opts.StepTimeout + time.Second):
			return res, fmt.Errorf("line %d: step hung", st.Line)
		}
		if opts.Hook != nil {
			opts.Hook(i, sr)
		}
	}
	for _, name := range sc.Sessions {
		if err := wait(name); err != nil {
			return res, err
		}
	}
	return res, nil
}

func exec(ctx context.Context, conn *pgx.Conn, st *Step, sr *StepResult, opts Options) {
	ctx, cancel := context.WithTimeout(ctx, opts.StepTimeout)
	defer cancel()
	if st.Batch {
		execBatch(ctx, conn, st, sr)
		return
	}
	if opts.Protocol == Simple && len(st.Args) == 0 && strings.Contains(st.SQL, "$") {
		// $n without arguments is SQL-level PREPARE's own parameter (or a
		// dollar quote): send the text as is, which pgx's simple protocol
		// would try to fill in.
		execVerbatim(ctx, conn, st, sr)
		return
	}
	args := st.Args
	if opts.Protocol == Simple {
		args = append([]any{pgx.QueryExecModeSimpleProtocol}, args...)
	}
	sr.Start = time.Now()
	rows, err := conn.Query(ctx, st.SQL, args...)
	if err == nil {
		for rows.Next() {
			sr.Rows++
		}
		rows.Close()
		err = rows.Err()
		sr.Tag = rows.CommandTag().String()
	}
	sr.End = time.Now()
	sr.setErr(err)
}

// setErr records the step's error and its SQLSTATE, if any.
func (sr *StepResult) setErr(err error) {
	if err == nil {
		return
	}
	sr.Err = err
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		sr.SQLState = pgErr.Code
	}
}

// execVerbatim sends st.SQL in one simple-protocol Query, unchanged.
func execVerbatim(ctx context.Context, conn *pgx.Conn, st *Step, sr *StepResult) {
	sr.Start = time.Now()
	results, err := conn.PgConn().Exec(ctx, st.SQL).ReadAll()
	sr.End = time.Now()
	if n := len(results); n > 0 {
		sr.Rows = len(results[n-1].Rows)
		sr.Tag = results[n-1].CommandTag.String()
	}
	sr.setErr(err)
}

func sessionURL(base, name string, startup map[string]string, proto Protocol) (string, error) {
	u, err := url.Parse(base)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		// Keyword/value form.
		parts := []string{base, "application_name=" + name}
		if proto == Simple {
			parts = append(parts, "default_query_exec_mode=simple_protocol")
		}
		for k, v := range startup {
			parts = append(parts, k+"='"+strings.ReplaceAll(v, "'", `\'`)+"'")
		}
		return strings.Join(parts, " "), nil
	}
	q := u.Query()
	q.Set("application_name", name)
	if proto == Simple {
		// Batches honour the connection's default mode only.
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	for k, v := range startup {
		q.Set(k, v)
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String(), nil
}

// execBatch sends the step's statements as one pgx batch; the result is the
// last statement's tag, or the first error.
func execBatch(ctx context.Context, conn *pgx.Conn, st *Step, sr *StepResult) {
	b := &pgx.Batch{}
	parts := sqltext.Split(st.SQL)
	for _, q := range parts {
		b.Queue(q)
	}
	sr.Start = time.Now()
	br := conn.SendBatch(ctx, b)
	var err error
	for range parts {
		ct, e := br.Exec()
		if e != nil {
			err = e
			break
		}
		sr.Tag = ct.String()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	sr.End = time.Now()
	sr.setErr(err)
}
