package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

var (
	noDeadline time.Time
	timeNow    = time.Now
)

// Proxy relays PostgreSQL sessions to one upstream server.
type Proxy struct {
	cfg    Config
	up     upstream
	tlsCfg *tls.Config // client-side termination; nil = answer SSLRequest 'N'

	idPrefix string
	nextID   atomic.Uint64

	addr atomic.Pointer[net.Addr]

	mu       sync.Mutex
	sessions map[*session]struct{}
	wg       sync.WaitGroup

	stats counters
}

// counters are plain atomics; Stats copies them.
type counters struct {
	sessionsOpen, sessionsTotal, sessionsRefused atomic.Int64
	bytesFromClients, bytesFromServers           atomic.Int64
	eventsEmitted                                atomic.Int64
	refusalsIgnored                              atomic.Int64
	relayBuffers                                 atomic.Int64
}

// Stats are cumulative counters (except SessionsOpen) a metrics layer can
// read at any time.
type Stats struct {
	SessionsOpen     int64
	SessionsTotal    int64
	SessionsRefused  int64 // refused for MaxConnections
	BytesFromClients int64
	BytesFromServers int64
	EventsEmitted    int64
	// RefusalsIgnored counts Gate refusals that were forwarded anyway because
	// refusing is not implemented yet.
	RefusalsIgnored int64
	// RelayBuffers is the number of relay buffers sessions hold now: an
	// idle session holds none.
	RelayBuffers int64
}

// New validates cfg and returns a proxy ready to Serve.
func New(cfg Config) (*Proxy, error) {
	up, err := parseUpstream(cfg.Upstream)
	if err != nil {
		return nil, err
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.MaxConnections < 0 {
		return nil, fmt.Errorf("max connections %d: must be >= 0", cfg.MaxConnections)
	}
	p := &Proxy{
		cfg: cfg, up: up, sessions: make(map[*session]struct{}),
		idPrefix: strconv.FormatInt(time.Now().Unix()%(36*36*36*36), 36),
	}
	switch {
	case cfg.TLSCert != "" && cfg.TLSKey != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("TLS certificate: %w", err)
		}
		p.tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case cfg.TLSCert != "" || cfg.TLSKey != "":
		return nil, errors.New("TLS termination needs both a certificate and a key")
	}
	return p, nil
}

// ListenAndServe listens on Config.Listen and serves until ctx is done.
func (p *Proxy) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", p.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", p.cfg.Listen, err)
	}
	return p.Serve(ctx, ln)
}

// Addr is the listening address, nil before Serve.
func (p *Proxy) Addr() net.Addr {
	if a := p.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// Stats returns a snapshot of the counters.
func (p *Proxy) Stats() Stats {
	return Stats{
		SessionsOpen:     p.stats.sessionsOpen.Load(),
		SessionsTotal:    p.stats.sessionsTotal.Load(),
		SessionsRefused:  p.stats.sessionsRefused.Load(),
		BytesFromClients: p.stats.bytesFromClients.Load(),
		BytesFromServers: p.stats.bytesFromServers.Load(),
		EventsEmitted:    p.stats.eventsEmitted.Load(),
		RefusalsIgnored:  p.stats.refusalsIgnored.Load(),
		RelayBuffers:     p.stats.relayBuffers.Load(),
	}
}

// Serve accepts connections on ln until ctx is done, then stops accepting,
// lets open sessions finish for up to ShutdownGrace, closes the rest and
// returns once every session goroutine has ended. It closes ln.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener) error {
	addr := ln.Addr()
	p.addr.Store(&addr)
	p.cfg.Logger.Info().Str("listen", addr.String()).Str("upstream", p.up.addr).Msg("proxy listening")

	stopAccept := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-stopAccept:
		}
		ln.Close()
	}()

	var acceptErr error
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				acceptErr = fmt.Errorf("accept: %w", err)
			}
			break
		}
		s := p.newSession(conn)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			s.run(ctx)
		}()
	}
	close(stopAccept)
	p.drain()
	return acceptErr
}

// drain waits for sessions to end on their own for ShutdownGrace, then
// closes whatever is left.
func (p *Proxy) drain() {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	open := p.stats.sessionsOpen.Load()
	if open > 0 {
		p.cfg.Logger.Info().Int64("sessions", open).Dur("grace", p.cfg.ShutdownGrace).Msg("shutting down: waiting for sessions")
	}
	select {
	case <-done:
		return
	case <-time.After(p.cfg.ShutdownGrace):
	}
	p.mu.Lock()
	n := len(p.sessions)
	for s := range p.sessions {
		s.shutdown()
	}
	p.mu.Unlock()
	if n > 0 {
		p.cfg.Logger.Info().Int("sessions", n).Msg("shutdown grace elapsed: closing remaining sessions")
	}
	<-done
}

func (p *Proxy) track(s *session) {
	p.mu.Lock()
	p.sessions[s] = struct{}{}
	p.mu.Unlock()
}

func (p *Proxy) untrack(s *session) {
	p.mu.Lock()
	delete(p.sessions, s)
	p.mu.Unlock()
}

func (p *Proxy) sessionID() string {
	return p.idPrefix + "-" + strconv.FormatUint(p.nextID.Add(1), 10)
}

// emit hands ev to the observer. Observer panics are contained: analysis
// must fail open for the traffic.
func (p *Proxy) emit(ev *analyzer.Event) {
	p.stats.eventsEmitted.Add(1)
	defer func() {
		if r := recover(); r != nil {
			p.cfg.Logger.Error().Interface("panic", r).Str("session", ev.Session).Str("kind", ev.Kind.String()).Msg("observer panicked; event dropped")
		}
	}()
	p.cfg.Observer.Observe(ev)
}
