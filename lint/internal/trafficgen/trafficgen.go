// Package trafficgen produces synthetic but realistic event streams for lint
// benchmarks: many interleaved sessions using prepared statements (the
// extended protocol, as pgx, JDBC and most ORMs do), plain queries with
// literals, transactions, atomic updates and the occasional unguarded
// read-modify-write.
package trafficgen

import (
	"fmt"
	"math/rand"
	"strconv"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// Generator emits events; not safe for concurrent use.
type Generator struct {
	rng      *rand.Rand
	now      time.Time
	sessions []*session
	next     int
	emit     func(*analyzer.Event)
	Events   int
}

type session struct {
	id       string
	app      string
	prepared map[string]bool
	units    int // until the session ends
}

// Statements the sessions use, by prepared statement name.
var statements = map[string]string{
	"sel_user":   "SELECT id, name, balance, version FROM users WHERE id = $1",
	"upd_atomic": "UPDATE users SET balance = balance + $1 WHERE id = $2",
	"upd_abs":    "UPDATE users SET balance = $1 WHERE id = $2",
	"upd_ver":    "UPDATE users SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3",
	"ins_order":  "INSERT INTO orders (user_id, amount) VALUES ($1, $2) RETURNING id",
}

var apps = []string{"order", "referral", "billing", "api", "worker"}

// New returns a generator with concurrent sessions interleaved; seed makes
// the stream reproducible.
func New(seed int64, concurrent int, emit func(*analyzer.Event)) *Generator {
	g := &Generator{rng: rand.New(rand.NewSource(seed)), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), emit: emit}
	for i := 0; i < concurrent; i++ {
		g.sessions = append(g.sessions, g.newSession())
	}
	return g
}

func (g *Generator) newSession() *session {
	g.next++
	s := &session{id: "s" + strconv.Itoa(g.next), app: apps[g.next%len(apps)], prepared: map[string]bool{}, units: 200 + g.rng.Intn(600)}
	g.ev(s, analyzer.Event{Kind: analyzer.EventSessionStart, Startup: map[string]string{"user": "app", "database": "shop", "application_name": s.app}})
	return s
}

func (g *Generator) ev(s *session, ev analyzer.Event) {
	g.now = g.now.Add(time.Duration(20+g.rng.Intn(200)) * time.Microsecond)
	ev.Session = s.id
	ev.Time = g.now
	g.emit(&ev)
	g.Events++
}

var userCols = []analyzer.Column{
	{Name: "id", TableOID: 16384, AttrNum: 1, TypeOID: 23},
	{Name: "name", TableOID: 16384, AttrNum: 2, TypeOID: 25},
	{Name: "balance", TableOID: 16384, AttrNum: 3, TypeOID: 23},
	{Name: "version", TableOID: 16384, AttrNum: 4, TypeOID: 23},
}

// prepare sends Parse/Describe/Sync once per session and statement, as a
// driver's statement cache does.
func (g *Generator) prepare(s *session, name string) {
	if s.prepared[name] {
		return
	}
	s.prepared[name] = true
	g.ev(s, analyzer.Event{Kind: analyzer.EventParse, Statement: name, SQL: statements[name]})
	g.ev(s, analyzer.Event{Kind: analyzer.EventDescribe, Target: 'S', Statement: name})
	g.ev(s, analyzer.Event{Kind: analyzer.EventSync})
	oids := make([]uint32, sqltext.MaxParam(statements[name]))
	for i := range oids {
		oids[i] = 23 // int4: every parameter here is an integer
	}
	g.ev(s, analyzer.Event{Kind: analyzer.EventParameterDescription, ParamOIDs: oids})
	if name == "sel_user" {
		g.ev(s, analyzer.Event{Kind: analyzer.EventRowDescription, Columns: userCols})
	}
	g.ev(s, analyzer.Event{Kind: analyzer.EventReadyForQuery, TxStatus: 'I'})
}

func (g *Generator) exec(s *session, name string, tx byte, tag string, rows [][][]byte, params ...string) {
	g.prepare(s, name)
	ps := make([][]byte, len(params))
	for i, p := range params {
		ps[i] = []byte(p)
	}
	g.ev(s, analyzer.Event{Kind: analyzer.EventBind, Statement: name, Params: ps})
	g.ev(s, analyzer.Event{Kind: analyzer.EventExecute})
	g.ev(s, analyzer.Event{Kind: analyzer.EventSync})
	for _, r := range rows {
		g.ev(s, analyzer.Event{Kind: analyzer.EventDataRow, Values: r})
	}
	g.ev(s, analyzer.Event{Kind: analyzer.EventCommandComplete, Tag: tag})
	g.ev(s, analyzer.Event{Kind: analyzer.EventReadyForQuery, TxStatus: tx})
}

func (g *Generator) simple(s *session, sql string, tx byte, tag string, cols []analyzer.Column, rows [][][]byte) {
	g.ev(s, analyzer.Event{Kind: analyzer.EventQuery, SQL: sql})
	if cols != nil {
		g.ev(s, analyzer.Event{Kind: analyzer.EventRowDescription, Columns: cols})
	}
	for _, r := range rows {
		g.ev(s, analyzer.Event{Kind: analyzer.EventDataRow, Values: r})
	}
	g.ev(s, analyzer.Event{Kind: analyzer.EventCommandComplete, Tag: tag})
	g.ev(s, analyzer.Event{Kind: analyzer.EventReadyForQuery, TxStatus: tx})
}

func userRow(id, balance, version int) [][]byte {
	return [][]byte{[]byte(strconv.Itoa(id)), []byte("user" + strconv.Itoa(id)), []byte(strconv.Itoa(balance)), []byte(strconv.Itoa(version))}
}

// Unit runs one unit of work in a random session: a point read, an atomic
// update, a transaction with a versioned update, an insert, a plain query
// with literals, or (5%) an unguarded read-modify-write.
func (g *Generator) Unit() {
	i := g.rng.Intn(len(g.sessions))
	s := g.sessions[i]
	id := 1 + g.rng.Intn(100000)
	bal := g.rng.Intn(10000)
	switch r := g.rng.Intn(100); {
	case r < 35:
		g.exec(s, "sel_user", 'I', "SELECT 1", [][][]byte{userRow(id, bal, 3)}, strconv.Itoa(id))
	case r < 55:
		g.exec(s, "upd_atomic", 'I', "UPDATE 1", nil, strconv.Itoa(g.rng.Intn(100)), strconv.Itoa(id))
	case r < 75:
		g.simple(s, "BEGIN", 'T', "BEGIN", nil, nil)
		g.exec(s, "sel_user", 'T', "SELECT 1", [][][]byte{userRow(id, bal, 3)}, strconv.Itoa(id))
		g.exec(s, "upd_ver", 'T', "UPDATE 1", nil, strconv.Itoa(bal+10), strconv.Itoa(id), "3")
		g.exec(s, "ins_order", 'T', "INSERT 0 1", [][][]byte{{[]byte(strconv.Itoa(g.Events))}}, strconv.Itoa(id), "10")
		g.simple(s, "COMMIT", 'I', "COMMIT", nil, nil)
	case r < 95:
		g.simple(s, fmt.Sprintf("SELECT id, amount FROM orders WHERE user_id = %d ORDER BY id DESC LIMIT 3", id), 'I', "SELECT 2",
			[]analyzer.Column{{Name: "id", TableOID: 16390, AttrNum: 1, TypeOID: 23}, {Name: "amount", TableOID: 16390, AttrNum: 3, TypeOID: 23}},
			[][][]byte{{[]byte("7"), []byte("10")}, {[]byte("8"), []byte("12")}})
	default:
		g.exec(s, "sel_user", 'I', "SELECT 1", [][][]byte{userRow(id, bal, 3)}, strconv.Itoa(id))
		g.exec(s, "upd_abs", 'I', "UPDATE 1", nil, strconv.Itoa(bal+150), strconv.Itoa(id))
	}
	s.units--
	if s.units <= 0 {
		g.ev(s, analyzer.Event{Kind: analyzer.EventSessionEnd, Message: "client terminated"})
		g.sessions[i] = g.newSession()
	}
}

// Generate runs units until at least n events were emitted.
func (g *Generator) Generate(n int) {
	for g.Events < n {
		g.Unit()
	}
}
