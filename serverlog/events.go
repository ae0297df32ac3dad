package serverlog

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// maxSessions bounds the per-session state kept while reading a log whose
// sessions never log their end (no log_disconnections): past it the least
// recently active tenth is forgotten.
const maxSessions = 20000

// session is what the reader remembers about one backend.
type session struct {
	id       string
	key      string // map key: %c session id, or "pid-N"
	started  bool
	plain    bool              // logged a statement line (log_statement): duration lines repeat it
	named    map[string]string // prepared statement name → SQL
	lastSeen uint64
	// syncAfter: an extended-protocol statement whose Sync is held back
	// while the next records may belong to the same implicit transaction
	// (same vxid: a pipelined batch); nil when none.
	syncAfter *record
}

// synth turns records into events.
type synth struct {
	sessions map[string]*session
	gen      map[string]int // pid → how many sessions it has had
	seq      uint64
	out      []*analyzer.Event
	lines    []int // source line of each event in out
}

func newSynth() *synth {
	return &synth{sessions: map[string]*session{}, gen: map[string]int{}}
}

func (s *synth) emit(r *record, sess *session, ev analyzer.Event) {
	ev.Session = sess.id
	ev.Time = r.time
	s.out = append(s.out, &ev)
	s.lines = append(s.lines, r.line)
}

// lookup finds the session a record belongs to; create says whether a new
// one may be started (client statements and connection lines may; other
// messages of unknown processes are not client traffic).
func (s *synth) lookup(r *record, create, fresh bool) *session {
	key := r.session
	if key == "" {
		key = "pid-" + r.pid
		if r.pid == "" {
			return nil
		}
	}
	if r.session == "" && fresh {
		// A new connection on a reused pid: start a new session id.
		if old := s.sessions[key]; old != nil {
			s.end(r, old, false)
		}
	}
	sess := s.sessions[key]
	if sess == nil {
		if !create {
			return nil
		}
		id := key
		if r.session == "" {
			// A pid is reused by later connections, and by sessions in other
			// files of the same server: name the session by its pid and its
			// first time, unique across the files of one server.
			s.gen[r.pid]++
			if r.time.IsZero() {
				id = key + "-" + strconv.Itoa(s.gen[r.pid])
			} else {
				id = key + "-" + r.time.UTC().Format("20060102T150405.000")
			}
		}
		sess = &session{id: id, key: key}
		s.sessions[key] = sess
		if len(s.sessions) > maxSessions {
			s.evict()
		}
	}
	s.seq++
	sess.lastSeen = s.seq
	return sess
}

func (s *synth) start(r *record, sess *session, user, db, app string) {
	if sess.started {
		return
	}
	sess.started = true
	startup := map[string]string{}
	if user != "" {
		startup["user"] = user
	}
	if db != "" {
		startup["database"] = db
	}
	if app != "" && app != "[unknown]" {
		startup["application_name"] = app
	}
	s.emit(r, sess, analyzer.Event{Kind: analyzer.EventSessionStart, Startup: startup})
}

// flushSync emits the Sync held back after sess's last statement, unless
// r continues that statement's implicit transaction (same vxid).
func (s *synth) flushSync(r *record, sess *session) {
	if sess.syncAfter == nil || (r != nil && r.vxid != "" && r.vxid == sess.syncAfter.vxid) {
		return
	}
	s.emit(sess.syncAfter, sess, analyzer.Event{Kind: analyzer.EventSync})
	sess.syncAfter = nil
}

// flushAll emits every held-back Sync (end of input), in session order.
func (s *synth) flushAll() {
	keys := make([]string, 0, len(s.sessions))
	for k, sess := range s.sessions {
		if sess.syncAfter != nil {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.flushSync(nil, s.sessions[k])
	}
}

func (s *synth) end(r *record, sess *session, logged bool) {
	s.flushSync(nil, sess)
	if logged {
		s.emit(r, sess, analyzer.Event{Kind: analyzer.EventSessionEnd, Message: "disconnection"})
	}
	delete(s.sessions, sess.key)
}

// evict forgets the least recently active tenth of the sessions.
func (s *synth) evict() {
	var cutoff uint64
	if s.seq > uint64(maxSessions) {
		cutoff = s.seq - uint64(maxSessions*9/10)
	}
	for k, sess := range s.sessions {
		if sess.lastSeen < cutoff {
			delete(s.sessions, k)
		}
	}
}

// handle turns one record into zero or more events appended to s.out.
func (s *synth) handle(r *record) {
	if r.backend != "" && r.backend != "client backend" {
		return
	}
	msg := r.message
	switch r.severity {
	case "LOG":
		switch {
		case strings.HasPrefix(msg, "statement: "):
			s.statement(r, msg[len("statement: "):], false)
		case strings.HasPrefix(msg, "execute "):
			s.execute(r, msg[len("execute "):], false)
		case strings.HasPrefix(msg, "duration: "):
			// log_min_duration_statement: "duration: 0.123 ms  statement: …"
			// or "…  execute S_1: …" (parse and bind lines are skipped).
			_, rest, ok := strings.Cut(msg, " ms  ")
			switch {
			case !ok:
			case strings.HasPrefix(rest, "statement: "):
				s.statement(r, rest[len("statement: "):], true)
			case strings.HasPrefix(rest, "execute "):
				s.execute(r, rest[len("execute "):], true)
			}
		case strings.HasPrefix(msg, "connection received: "):
			if r.session == "" {
				s.lookup(r, true, true)
			}
		case strings.HasPrefix(msg, "connection authorized: "):
			sess := s.lookup(r, true, false)
			if sess == nil {
				return
			}
			kv := parseKV(msg[len("connection authorized: "):])
			s.start(r, sess, first(kv["user"], r.user), first(kv["database"], r.database), first(kv["application_name"], r.app))
		case strings.HasPrefix(msg, "disconnection: "):
			if sess := s.lookup(r, false, false); sess != nil {
				s.end(r, sess, true)
			}
		}
	case "ERROR", "FATAL", "PANIC":
		sess := s.lookup(r, false, false)
		if sess == nil {
			return
		}
		s.flushSync(r, sess)
		s.emit(r, sess, analyzer.Event{Kind: analyzer.EventError, Severity: r.severity, SQLState: r.sqlstate, Message: msg, Detail: r.detail})
		if r.severity != "ERROR" {
			s.end(r, sess, true)
		}
	}
}

// statement handles a simple-protocol statement line. fromDuration: the
// line is a log_min_duration_statement one, used only by sessions that log
// no statement lines (else it repeats one).
func (s *synth) statement(r *record, sql string, fromDuration bool) {
	sess := s.lookup(r, true, false)
	if sess == nil || fromDuration && sess.plain {
		return
	}
	sess.plain = sess.plain || !fromDuration
	s.start(r, sess, r.user, r.database, r.app)
	s.flushSync(nil, sess)
	s.emit(r, sess, analyzer.Event{Kind: analyzer.EventQuery, SQL: sql})
}

// execute handles "execute S_1: SQL", "execute <unnamed>: SQL",
// "execute S_1/C_2: SQL" and "execute fetch from S_1/C_2: SQL".
func (s *synth) execute(r *record, rest string, fromDuration bool) {
	fetch := false
	if strings.HasPrefix(rest, "fetch from ") {
		fetch, rest = true, rest[len("fetch from "):]
	}
	colon := strings.Index(rest, ": ")
	if colon < 0 {
		return
	}
	name, sql := rest[:colon], rest[colon+2:]
	portal := ""
	// The statement name may itself contain '/' only in pathological cases;
	// the portal follows the last '/'.
	if i := strings.LastIndexByte(name, '/'); i >= 0 && name != "<unnamed>" {
		name, portal = name[:i], name[i+1:]
	}
	if name == "<unnamed>" {
		name = ""
	}
	sess := s.lookup(r, true, false)
	if sess == nil || fromDuration && sess.plain {
		return
	}
	sess.plain = sess.plain || !fromDuration
	s.start(r, sess, r.user, r.database, r.app)
	s.flushSync(r, sess)
	if !fetch {
		if name == "" || sess.named[name] != sql {
			s.emit(r, sess, analyzer.Event{Kind: analyzer.EventParse, Statement: name, SQL: sql})
			if name != "" {
				if sess.named == nil {
					sess.named = map[string]string{}
				}
				sess.named[name] = sql
			}
		}
		params, _ := parseParameters(r.detail)
		s.emit(r, sess, analyzer.Event{Kind: analyzer.EventBind, Statement: name, Portal: portal, Params: params})
	}
	// A client sends Parse, Bind, Execute and Sync together, before the
	// server answers (an error logged next comes after them on the wire
	// too). Statements pipelined before one Sync run in one implicit
	// transaction, which only the vxid shows: with it, the Sync waits
	// until a record of another transaction (or of no statement) comes.
	s.emit(r, sess, analyzer.Event{Kind: analyzer.EventExecute, Portal: portal})
	if r.vxid == "" {
		s.emit(r, sess, analyzer.Event{Kind: analyzer.EventSync})
		return
	}
	sess.syncAfter = r
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseKV reads "user=a database=b application_name=c" (values end at a space;
// application_name is last in PostgreSQL's message so it may hold spaces).
func parseKV(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := s[:eq]
		s = s[eq+1:]
		if key == "application_name" {
			out[key] = s
			break
		}
		sp := strings.IndexByte(s, ' ')
		if sp < 0 {
			out[key] = s
			break
		}
		out[key] = s[:sp]
		s = s[sp+1:]
	}
	return out
}

var errBadParameters = errors.New("malformed parameters detail")

// parseParameters reads `parameters: $1 = '42', $2 = NULL, $3 = 'it”s'`.
// Values come back in $n order; NULL is nil.
func parseParameters(detail string) ([][]byte, error) {
	const p = "parameters: "
	if !strings.HasPrefix(detail, p) {
		return nil, nil
	}
	s := detail[len(p):]
	var out [][]byte
	for s != "" {
		if s[0] != '$' {
			return out, errBadParameters
		}
		eq := strings.Index(s, " = ")
		if eq < 0 {
			return out, errBadParameters
		}
		n, err := strconv.Atoi(s[1:eq])
		if err != nil || n < 1 || n > 65535 {
			return out, errBadParameters
		}
		s = s[eq+3:]
		var v []byte
		switch {
		case strings.HasPrefix(s, "NULL"):
			s = s[4:]
		case strings.HasPrefix(s, "'"):
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return out, errBadParameters
			}
			v = []byte(b.String())
			s = s[i+1:]
		default:
			return out, errBadParameters
		}
		for len(out) < n {
			out = append(out, nil)
		}
		out[n-1] = v
		s = strings.TrimPrefix(s, ", ")
	}
	return out, nil
}

func skipSpaceAndComments(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n\f")
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return ""
			}
			s = s[i+2:]
		default:
			return s
		}
	}
}
