// Package scenario reads pgrmw's fixture files and drives them against a
// PostgreSQL server (directly or through the proxy), one connection per
// session, step by step in file order.
//
// # File format
//
// A scenario is a .sql file. Lines starting with "--" are comments, except
// these directives:
//
//	-- setup: CREATE TABLE users (id int PRIMARY KEY, balance int);   run before the sessions, directly
//	-- config: lock_held_threshold: 20ms                                analyzer config (YAML lines)
//	-- protocols: simple                                                only these protocols (default: extended, simple)
//	-- startup order: options=-c default_transaction_isolation=serializable
//
// Every other non-empty line is a step: a session name, a colon, and either
// SQL or a runner command, then optional annotations each introduced by
// " -- ":
//
//	order:    UPDATE users SET balance = $1 WHERE id = $2  -- args: 250, 42  -- want RMW001 /balance/
//	referral: UPDATE users SET balance = $1 WHERE id = $2  -- args: 500, 42  -- blocks
//	order:    COMMIT                                       -- want RMW006
//	order:    UPDATE …                                     -- error 40001
//	order:    \sleep 60ms
//
// Annotations: "args: v, …" (integers, 'strings', NULL, true/false, {1,2}
// integer arrays; in the
// simple protocol pgx interpolates them), "want RULE [/regexp/]" (repeatable:
// the step must produce that finding; the regexp matches its message),
// "batch" (the step's statements go out as one pgx batch: pipelined in the
// extended protocol, one multi-statement Query in the simple one; no args),
// "blocks" (the step waits on a row lock: the runner starts it, moves on after
// a short wait and collects it before the session's next step), "error
// SQLSTATE" (the step must fail with it). A finding belongs to the last step
// of its session (by application_name, which the runner sets to the session
// name) that started before the finding's time; unexpected findings fail.
package scenario

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Scenario is one parsed fixture.
type Scenario struct {
	Name      string
	Path      string
	Setup     []string
	Config    string // YAML
	Protocols []Protocol
	Startup   map[string]map[string]string // session → startup params
	Sessions  []string                     // in order of first appearance
	Steps     []*Step
}

// Step is one line of a session.
type Step struct {
	Line    int
	Session string
	SQL     string
	Args    []any
	Sleep   time.Duration // \sleep
	Wants   []Want
	Blocks  bool
	Error   string // expected SQLSTATE
	// Batch: the step's statements (split at top-level semicolons) are sent
	// as one pgx batch: pipelined Parse/Bind/Execute … Sync in the
	// extended protocol, one multi-statement Query in the simple one.
	Batch bool
}

// Want is an expected finding.
type Want struct {
	Rule    string
	Message *regexp.Regexp
}

// Protocol selects how the runner sends statements.
type Protocol string

const (
	Extended Protocol = "extended" // pgx default: Parse/Bind/Execute, binary params
	Simple   Protocol = "simple"   // pgx QueryExecModeSimpleProtocol: args interpolated
)

// Supports reports whether the scenario runs under p.
func (sc *Scenario) Supports(p Protocol) bool {
	if len(sc.Protocols) == 0 {
		return true
	}
	for _, q := range sc.Protocols {
		if q == p {
			return true
		}
	}
	return false
}

// LoadDir parses every *.sql file in dir, sorted by name.
func LoadDir(dir string) ([]*Scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("scenarios in %s: %w", dir, err)
	}
	sort.Strings(paths)
	var out []*Scenario
	for _, p := range paths {
		sc, err := Load(p)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// Load parses one file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sc, err := Parse(strings.TrimSuffix(filepath.Base(path), ".sql"), data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sc.Path = path
	return sc, nil
}

var (
	stepRe = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$`)
	wantRe = regexp.MustCompile(`^want\s+(RMW\d+)\s*(?:/(.*)/)?\s*$`)
)

// Parse reads a scenario from text.
func Parse(name string, data []byte) (*Scenario, error) {
	sc := &Scenario{Name: name, Startup: map[string]map[string]string{}}
	seen := map[string]bool{}
	sn := bufio.NewScanner(bytes.NewReader(data))
	sn.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sn.Scan() {
		line++
		text := strings.TrimSpace(sn.Text())
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "--") {
			body := strings.TrimSpace(strings.TrimPrefix(text, "--"))
			switch {
			case strings.HasPrefix(body, "setup:"):
				sc.Setup = append(sc.Setup, strings.TrimSpace(strings.TrimPrefix(body, "setup:")))
			case strings.HasPrefix(body, "config:"):
				sc.Config += strings.TrimSpace(strings.TrimPrefix(body, "config:")) + "\n"
			case strings.HasPrefix(body, "protocols:"):
				for _, p := range strings.FieldsFunc(strings.TrimPrefix(body, "protocols:"), func(r rune) bool { return r == ',' || r == ' ' }) {
					if p != string(Extended) && p != string(Simple) {
						return nil, fmt.Errorf("line %d: unknown protocol %q", line, p)
					}
					sc.Protocols = append(sc.Protocols, Protocol(p))
				}
			case strings.HasPrefix(body, "startup "):
				rest := strings.TrimPrefix(body, "startup ")
				sess, kv, ok := strings.Cut(rest, ":")
				if !ok {
					return nil, fmt.Errorf("line %d: want '-- startup SESSION: key=value'", line)
				}
				k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
				if !ok {
					return nil, fmt.Errorf("line %d: want key=value", line)
				}
				sess = strings.TrimSpace(sess)
				if sc.Startup[sess] == nil {
					sc.Startup[sess] = map[string]string{}
				}
				sc.Startup[sess][strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		m := stepRe.FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("line %d: want 'session: SQL', got %q", line, text)
		}
		st, err := parseStep(m[1], m[2], line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if !seen[st.Session] {
			seen[st.Session] = true
			sc.Sessions = append(sc.Sessions, st.Session)
		}
		sc.Steps = append(sc.Steps, st)
	}
	if err := sn.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(sc.Steps) == 0 {
		return nil, fmt.Errorf("no steps")
	}
	return sc, nil
}

// annotationStart finds " -- " followed by a known annotation keyword.
var annotationRe = regexp.MustCompile(`\s--\s*(args:|want\s|blocks\b|batch\b|error\s)`)

func parseStep(session, rest string, line int) (*Step, error) {
	st := &Step{Line: line, Session: session}
	idx := annotationRe.FindStringIndex(rest)
	body := rest
	var notes string
	if idx != nil {
		body, notes = rest[:idx[0]], rest[idx[0]:]
	}
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, `\sleep`) {
		d, err := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(body, `\sleep`)))
		if err != nil {
			return nil, fmt.Errorf(`\sleep: %w`, err)
		}
		st.Sleep = d
	} else {
		st.SQL = body
	}
	for _, part := range splitAnnotations(notes) {
		switch {
		case strings.HasPrefix(part, "args:"):
			args, err := parseArgs(strings.TrimPrefix(part, "args:"))
			if err != nil {
				return nil, err
			}
			st.Args = args
		case strings.HasPrefix(part, "want"):
			m := wantRe.FindStringSubmatch(part)
			if m == nil {
				return nil, fmt.Errorf("bad want %q (want RMW001 [/regexp/])", part)
			}
			w := Want{Rule: m[1]}
			if m[2] != "" {
				re, err := regexp.Compile(m[2])
				if err != nil {
					return nil, fmt.Errorf("want regexp: %w", err)
				}
				w.Message = re
			}
			st.Wants = append(st.Wants, w)
		case part == "blocks":
			st.Blocks = true
		case part == "batch":
			st.Batch = true
		case strings.HasPrefix(part, "error"):
			st.Error = strings.TrimSpace(strings.TrimPrefix(part, "error"))
		case part == "":
		default:
			return nil, fmt.Errorf("unknown annotation %q", part)
		}
	}
	return st, nil
}

func splitAnnotations(notes string) []string {
	var out []string
	for _, p := range strings.Split(notes, " -- ") {
		p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "--"))
		if p != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

func parseArgs(s string) ([]any, error) {
	var out []any
	s = strings.TrimSpace(s)
	for s != "" {
		var tok string
		if s[0] == '\'' {
			end := 1
			var b strings.Builder
			for end < len(s) {
				if s[end] == '\'' {
					if end+1 < len(s) && s[end+1] == '\'' {
						b.WriteByte('\'')
						end += 2
						continue
					}
					break
				}
				b.WriteByte(s[end])
				end++
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated string in args")
			}
			out = append(out, b.String())
			s = strings.TrimSpace(s[end+1:])
			s = strings.TrimSpace(strings.TrimPrefix(s, ","))
			continue
		}
		if s[0] == '{' {
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated array in args")
			}
			var arr []int64
			for _, e := range strings.Split(s[1:end], ",") {
				n, err := strconv.ParseInt(strings.TrimSpace(e), 10, 64)
				if err != nil {
					return nil, fmt.Errorf("array args hold integers only: %w", err)
				}
				arr = append(arr, n)
			}
			out = append(out, arr)
			s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[end+1:]), ","))
			continue
		}
		tok, s, _ = strings.Cut(s, ",")
		tok = strings.TrimSpace(tok)
		s = strings.TrimSpace(s)
		switch {
		case strings.EqualFold(tok, "null"):
			out = append(out, nil)
		case tok == "true" || tok == "false":
			out = append(out, tok == "true")
		default:
			if n, err := strconv.ParseInt(tok, 10, 64); err == nil {
				out = append(out, n)
			} else {
				out = append(out, tok)
			}
		}
	}
	return out, nil
}
