package analyzer

import (
	"sync"
	"sync/atomic"

	"github.com/pgrmw/pgrmw/analyzer/sqltext"
)

// parsedText is the cached outcome of parsing one SQL text.
type parsedText struct {
	stmts []*StatementFacts
	err   error
	// fallback: the normalized text did not parse; the original text must
	// be parsed (and cached) on its own.
	fallback bool
}

// factCache maps SQL text to statement facts. It keeps two generations of
// at most max/2 entries each: a hit in the old generation is promoted, and
// when the current one fills up the old one is dropped. That bounds memory
// without per-entry bookkeeping and keeps the hot statements.
type factCache struct {
	mu        sync.Mutex
	cur, prev map[string]*parsedText
	max       int

	hits, misses, parsed, parseErrors atomic.Uint64
}

func newFactCache(max int) *factCache {
	if max < 2 {
		max = 2
	}
	return &factCache{cur: make(map[string]*parsedText), prev: map[string]*parsedText{}, max: max}
}

func (c *factCache) get(key string) *parsedText {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.cur[key]; ok {
		return p
	}
	if p, ok := c.prev[key]; ok {
		c.putLocked(key, p)
		return p
	}
	return nil
}

func (c *factCache) put(key string, p *parsedText) {
	c.mu.Lock()
	c.putLocked(key, p)
	c.mu.Unlock()
}

func (c *factCache) putLocked(key string, p *parsedText) {
	if len(c.cur) >= c.max/2 {
		c.prev = c.cur
		c.cur = make(map[string]*parsedText, c.max/2)
	}
	c.cur[key] = p
}

// parse returns the facts of text, parsing it at most once while cached.
func (c *factCache) parse(text string) *parsedText {
	if p := c.get(text); p != nil {
		c.hits.Add(1)
		return p
	}
	c.misses.Add(1)
	// Parsing happens outside the lock: it is a cgo call of tens of µs and
	// other sessions should not wait for it. Two sessions may parse the
	// same new text once each; both results are equal.
	stmts, err := parseFacts(text)
	c.parsed.Add(1)
	if err != nil {
		c.parseErrors.Add(1)
	}
	p := &parsedText{stmts: stmts, err: err}
	c.put(text, p)
	return p
}

// lookup returns the facts of sql and, when they were parsed from the
// normalized text, the literal values that now bind as parameters after the
// statement's own ($n for n > MaxParam).
func (c *factCache) lookup(sql string) (*parsedText, []string) {
	norm, lits := sqltext.Normalize(sql)
	if len(lits) == 0 {
		return c.parse(sql), nil
	}
	if p := c.get(norm); p != nil {
		if !p.fallback {
			c.hits.Add(1)
			return p, lits
		}
		return c.parse(sql), nil
	}
	stmts, err := parseFacts(norm)
	c.parsed.Add(1)
	if err == nil {
		c.misses.Add(1)
		p := &parsedText{stmts: stmts}
		c.put(norm, p)
		return p, lits
	}
	// e.g. SET x = $1 or interval $1: the grammar wants a literal there.
	c.put(norm, &parsedText{fallback: true})
	return c.parse(sql), nil
}
