// Package pipeline joins the proxy's event stream to its consumers in a live
// proxy: a bounded queue that never stalls traffic (log mode), a fan-out to
// several observers (analyzer, capture), and the sink that writes findings to
// the log and the findings file.
package pipeline

import (
	"sync"
	"sync/atomic"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Async hands events to a consumer on its own goroutine through a bounded
// queue. Observe never blocks: when the queue is full the event is dropped
// and counted, because in log mode analysis must never delay the client.
type Async struct {
	queue    chan *analyzer.Event
	next     analyzer.Observer
	dropped  atomic.Uint64
	accepted atomic.Uint64
	closing  sync.Once
	done     chan struct{}
	mu       sync.RWMutex // guards closed against Observe racing Close
	closed   bool
}

// NewAsync starts the consumer goroutine. capacity bounds the events in
// flight (memory: about capacity × a few hundred bytes).
func NewAsync(next analyzer.Observer, capacity int) *Async {
	if capacity <= 0 {
		capacity = 65536
	}
	a := &Async{queue: make(chan *analyzer.Event, capacity), next: next, done: make(chan struct{})}
	go a.run()
	return a
}

func (a *Async) run() {
	defer close(a.done)
	for ev := range a.queue {
		a.next.Observe(ev)
	}
}

// Observe enqueues ev or drops it when the consumer is behind.
func (a *Async) Observe(ev *analyzer.Event) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		a.dropped.Add(1)
		return
	}
	select {
	case a.queue <- ev:
		a.accepted.Add(1)
	default:
		a.dropped.Add(1)
	}
}

// Dropped is the number of events not analysed because the queue was full.
func (a *Async) Dropped() uint64 { return a.dropped.Load() }

// Accepted is the number of events queued for the consumer.
func (a *Async) Accepted() uint64 { return a.accepted.Load() }

// Backlog is the number of events waiting in the queue.
func (a *Async) Backlog() int { return len(a.queue) }

// Close stops accepting events and waits until the queued ones are consumed.
func (a *Async) Close() {
	a.closing.Do(func() {
		a.mu.Lock()
		a.closed = true
		close(a.queue)
		a.mu.Unlock()
	})
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
