package proxy

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Defaults applied by New.
const (
	DefaultListen         = "127.0.0.1:6432"
	DefaultConnectTimeout = 5 * time.Second
	// DefaultMaxMessageBytes bounds one client message (a Query or Parse with a
	// huge SQL text is buffered whole to become an event). PostgreSQL itself
	// accepts up to 1 GiB; staging traffic never comes close.
	DefaultMaxMessageBytes = 256 << 20
)

// Config configures a Proxy. Upstream is required.
type Config struct {
	Listen          string        // "127.0.0.1:6432"
	Upstream        string        // postgres://user@host:5432/db?sslmode=disable|prefer|require|verify-ca|verify-full
	TLSCert, TLSKey string        // client-side TLS termination when both set
	MaxConnections  int           // 0 = unlimited; excess refused with SQLSTATE 53300
	ConnectTimeout  time.Duration // upstream dial + TLS; default 5s
	ShutdownGrace   time.Duration // how long Serve waits for sessions after ctx is done
	// Observer receives every event; may be nil (then nothing is decoded).
	Observer analyzer.Observer
	// Gate is the block-mode hook; nil = never refuse.
	Gate   Gate
	Logger zerolog.Logger

	// MaxMessageBytes bounds a client message the proxy must hold whole to
	// build its event (Query, Parse, Bind, …); a larger one ends that
	// session with a protocol violation error. Messages that only stream
	// through (CopyData) are left to PostgreSQL's own limits.
	// 0 = DefaultMaxMessageBytes.
	MaxMessageBytes int
}

// Gate is consulted synchronously, before forwarding, for each client Query
// and Execute message (after the event was handed to Observer). A nil
// *Refusal means forward as usual.
type Gate interface {
	Check(ev *analyzer.Event) *Refusal
}

// GateFunc adapts a function to Gate.
type GateFunc func(ev *analyzer.Event) *Refusal

// Check calls f(ev).
func (f GateFunc) Check(ev *analyzer.Event) *Refusal { return f(ev) }

// Refusal is the error a refused message gets instead of being executed.
type Refusal struct {
	SQLState, Message, Detail, Hint string
}

// upstream is what the proxy needs from the upstream URL: where to dial and
// how to negotiate TLS.
type upstream struct {
	addr string // host:port
	// tls is nil when sslmode=disable.
	tls *tls.Config
	// plainFallback: carry on without TLS when the server answers 'N'
	// (sslmode=allow/prefer).
	plainFallback bool
}

func parseUpstream(raw string) (upstream, error) {
	if raw == "" {
		return upstream{}, errors.New("upstream URL is required")
	}
	pc, err := pgconn.ParseConfig(raw)
	if err != nil {
		// pgconn's error quotes the URL with any password redacted.
		return upstream{}, fmt.Errorf("upstream URL: %w", err)
	}
	if len(pc.Host) > 0 && pc.Host[0] == '/' {
		return upstream{}, errors.New("upstream URL: unix sockets are not supported, use host:port")
	}
	u := upstream{addr: net.JoinHostPort(pc.Host, strconv.Itoa(int(pc.Port))), tls: pc.TLSConfig}
	if u.tls != nil {
		for _, fb := range pc.Fallbacks {
			if fb.Host == pc.Host && fb.Port == pc.Port && fb.TLSConfig == nil {
				u.plainFallback = true
			}
		}
	}
	return u, nil
}
