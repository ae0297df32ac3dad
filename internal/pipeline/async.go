// Package pipeline joins the proxy's event stream to its consumers in a live
// proxy: a bounded queue that never stalls traffic (log mode), a fan-out to
// several observers (analyzer, capture), and the sink that writes findings to
// the log and the findings file.
package pipeline

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Async hands events to a consumer on its own goroutine through a bounded
// queue. Observe never blocks: when the queue is full the event is dropped
// and counted, because in log mode analysis must never delay the client.
//
// The consumer drains the queue in batches and, while traffic flows, polls
// every millisecond instead of being woken per event: a wake-up per event
// (what a channel hand-off costs when the consumer keeps up) is a futex call
// and a scheduler round trip on the relay's hot path. Log-mode findings can
// wait a millisecond. After a quiet spell the consumer parks until the next
// event, so an idle proxy costs nothing.
type Async struct {
	next     analyzer.Observer
	capacity int

	mu      sync.Mutex
	pending []*analyzer.Event
	closed  bool

	parked   atomic.Bool
	wake     chan struct{}
	dropped  atomic.Uint64
	accepted atomic.Uint64
	done     chan struct{}
}

const (
	pollInterval = time.Millisecond
	// idlePolls empty polls in a row before the consumer parks.
	idlePolls = 100
)

// NewAsync starts the consumer goroutine. capacity bounds the events in
// flight (memory: about capacity × a few hundred bytes).
func NewAsync(next analyzer.Observer, capacity int) *Async {
	if capacity <= 0 {
		capacity = 65536
	}
	a := &Async{next: next, capacity: capacity, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *Async) run() {
	defer close(a.done)
	var batch []*analyzer.Event
	idle := 0
	for {
		a.mu.Lock()
		batch, a.pending = a.pending, batch[:0]
		closed := a.closed
		a.mu.Unlock()
		for i, ev := range batch {
			a.next.Observe(ev)
			batch[i] = nil
		}
		if len(batch) > 0 {
			idle = 0
			continue
		}
		if closed {
			return
		}
		if idle++; idle < idlePolls {
			time.Sleep(pollInterval)
			continue
		}
		a.park()
		idle = 0
	}
}

// park sleeps until Observe or Close signals. The flag is raised before the
// queue is checked, so an event queued after the check sees it and wakes us.
func (a *Async) park() {
	a.parked.Store(true)
	a.mu.Lock()
	empty := len(a.pending) == 0 && !a.closed
	a.mu.Unlock()
	if empty {
		<-a.wake
	}
	a.parked.Store(false)
}

func (a *Async) signal() {
	if a.parked.Load() {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

// Observe enqueues ev or drops it when the consumer is behind.
func (a *Async) Observe(ev *analyzer.Event) {
	a.mu.Lock()
	if a.closed || len(a.pending) >= a.capacity {
		a.mu.Unlock()
		a.dropped.Add(1)
		return
	}
	a.pending = append(a.pending, ev)
	a.mu.Unlock()
	a.accepted.Add(1)
	a.signal()
}

// Dropped is the number of events not analysed because the queue was full.
func (a *Async) Dropped() uint64 { return a.dropped.Load() }

// Accepted is the number of events queued for the consumer.
func (a *Async) Accepted() uint64 { return a.accepted.Load() }

// Backlog is the number of events waiting in the queue.
func (a *Async) Backlog() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pending)
}

// Close stops accepting events and waits until the queued ones are consumed.
func (a *Async) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	<-a.done
}

// Fanout passes each event to every observer in order.
type Fanout []analyzer.Observer

// Observe calls each observer in turn.
func (f Fanout) Observe(ev *analyzer.Event) {
	for _, o := range f {
		o.Observe(ev)
	}
}
