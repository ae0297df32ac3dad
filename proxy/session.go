package proxy

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
)

// startupTimeout bounds the startup and authentication phase, like
// PostgreSQL's authentication_timeout.
const startupTimeout = 60 * time.Second

// session is one client connection and its upstream connection.
type session struct {
	p   *Proxy
	id  string
	log zerolog.Logger

	mu       sync.Mutex // guards client (swapped for TLS), server, closing
	client   net.Conn
	server   net.Conn
	closing  bool
	shutDown atomic.Bool

	clientTerminated atomic.Bool // the client sent Terminate
	// cancelPacket is the CancelRequest for this session's backend, built
	// from its BackendKeyData (nil until seen). Written once by the
	// server→client direction before the session can end.
	cancelPacket  []byte
	frontendEnded atomic.Bool // the client side stopped first

	replies *replyQueue // block mode only: see refuse.go
}

func (p *Proxy) newSession(conn net.Conn) *session {
	s := &session{p: p, client: conn}
	p.track(s)
	return s
}

// shutdown ends the session from outside (grace elapsed): the upstream is
// closed, and the client gets a FATAL 57P01 at the next message boundary.
func (s *session) shutdown() {
	s.shutDown.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	deadline := time.Now().Add(time.Second)
	s.client.SetDeadline(deadline)
	if s.server != nil {
		s.server.Close()
	} else {
		s.client.Close()
	}
}

// setCancelKey builds the CancelRequest matching a BackendKeyData body
// (process id + secret key of 4 bytes, or up to 256 in protocol 3.2).
func (s *session) setCancelKey(body []byte) {
	if len(body) < 8 || len(body) > 260 {
		return
	}
	pkt := make([]byte, 8+len(body))
	binary.BigEndian.PutUint32(pkt[0:4], uint32(len(pkt)))
	binary.BigEndian.PutUint32(pkt[4:8], codeCancelRequest)
	copy(pkt[8:], body)
	s.cancelPacket = pkt
}

func (s *session) setClient(c net.Conn) {
	s.mu.Lock()
	s.client = c
	s.mu.Unlock()
}

// setServer records the upstream connection; false if shutdown came first.
func (s *session) setServer(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.server = c
	return true
}

func (s *session) emit(ev *analyzer.Event) {
	if s.p.cfg.Observer == nil {
		return
	}
	ev.Session = s.id
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	s.p.emit(ev)
}

// fatal sends the client a FATAL ErrorResponse (best effort).
func (s *session) fatal(code, msg string) {
	s.client.SetWriteDeadline(time.Now().Add(time.Second))
	s.client.Write(errorResponse("FATAL", code, msg, ""))
}

func (s *session) run(ctx context.Context) {
	defer s.p.untrack(s)
	defer func() { s.client.Close() }()
	s.log = s.p.cfg.Logger.With().Str("client", s.client.RemoteAddr().String()).Logger()

	s.client.SetDeadline(time.Now().Add(startupTimeout))
	startup, err := s.negotiate(ctx)
	if err != nil {
		s.log.Debug().Err(err).Msg("connection ended before startup")
		return
	}
	if startup == nil {
		return // a cancel request, already forwarded
	}
	params, err := startupParams(startup)
	if err != nil {
		s.fatal(sqlstateProtocolViolation, "invalid startup packet: "+err.Error())
		return
	}

	open := s.p.stats.sessionsOpen.Add(1)
	defer s.p.stats.sessionsOpen.Add(-1)
	if max := s.p.cfg.MaxConnections; max > 0 && open > int64(max) {
		s.p.stats.sessionsRefused.Add(1)
		s.log.Warn().Int("max_connections", max).Msg("refusing connection: too many clients")
		s.fatal(sqlstateTooManyConnections, "sorry, too many clients already (pgrmw proxy max connections reached)")
		return
	}
	s.p.stats.sessionsTotal.Add(1)
	s.id = s.p.sessionID()
	s.log = s.log.With().Str("session", s.id).Logger()
	s.log.Debug().Str("user", params["user"]).Str("database", params["database"]).Msg("session start")
	s.emit(&analyzer.Event{Kind: analyzer.EventSessionStart, Startup: params})

	reason := s.serve(startup)
	s.log.Debug().Str("reason", reason).Msg("session end")
	s.emit(&analyzer.Event{Kind: analyzer.EventSessionEnd, Message: reason})
}

// negotiate answers SSLRequest/GSSENCRequest, forwards a CancelRequest and
// returns the StartupMessage packet (nil after a cancel).
func (s *session) negotiate(ctx context.Context) ([]byte, error) {
	tlsDone := false
	// A TLS ClientHello instead of a packet length: the client skipped the
	// SSLRequest (PostgreSQL 17's sslnegotiation=direct).
	var first [1]byte
	if _, err := io.ReadFull(s.client, first[:]); err != nil {
		return nil, err
	}
	if first[0] == tlsHandshakeRecord {
		if s.p.tlsCfg == nil {
			return nil, errors.New("direct TLS from the client, but the proxy has no certificate")
		}
		if err := s.startClientTLS(ctx, &prefixedConn{Conn: s.client, prefix: first[:]}, true); err != nil {
			return nil, err
		}
		tlsDone = true
	}
	pending := first[:]
	if tlsDone {
		pending = nil
	}
	for {
		pkt, err := readStartupPacket(s.client, pending)
		pending = nil
		if err != nil {
			return nil, err
		}
		code := binary.BigEndian.Uint32(pkt[4:8])
		switch {
		case code == codeSSLRequest && !tlsDone:
			if s.p.tlsCfg == nil {
				if _, err := s.client.Write([]byte{'N'}); err != nil {
					return nil, err
				}
				continue
			}
			if _, err := s.client.Write([]byte{'S'}); err != nil {
				return nil, err
			}
			if err := s.startClientTLS(ctx, s.client, false); err != nil {
				return nil, err
			}
			tlsDone = true
		case code == codeGSSENCRequest && !tlsDone:
			if _, err := s.client.Write([]byte{'N'}); err != nil {
				return nil, err
			}
		case code == codeCancelRequest:
			if err := s.p.forwardCancel(ctx, pkt); err != nil {
				s.log.Warn().Err(err).Msg("cancel request not forwarded")
			} else {
				s.log.Debug().Msg("cancel request forwarded")
			}
			return nil, nil
		case code>>16 == protocolMajor3:
			return pkt, nil
		default:
			s.fatal(sqlstateProtocolViolation, fmt.Sprintf("unsupported frontend protocol %d.%d", code>>16, code&0xffff))
			return nil, fmt.Errorf("unsupported startup code %d", code)
		}
	}
}

const tlsHandshakeRecord = 0x16

// startClientTLS terminates the client's TLS on conn. Direct negotiation
// requires the "postgresql" ALPN protocol, as PostgreSQL does.
func (s *session) startClientTLS(ctx context.Context, conn net.Conn, direct bool) error {
	cfg := s.p.tlsCfg
	if direct {
		cfg = cfg.Clone()
		cfg.NextProtos = []string{"postgresql"}
	}
	tc := tls.Server(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("client TLS handshake: %w", err)
	}
	if direct && tc.ConnectionState().NegotiatedProtocol != "postgresql" {
		return errors.New("direct TLS without the postgresql ALPN protocol")
	}
	s.setClient(tc)
	return nil
}

// prefixedConn replays bytes already read before reading from Conn.
type prefixedConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixedConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// serve connects upstream, relays authentication, then relays the session
// until either side ends. It returns why the session ended.
func (s *session) serve(startup []byte) string {
	up := s.p.up.addr
	ctx, cancel := context.WithTimeout(context.Background(), s.p.cfg.ConnectTimeout)
	server, err := s.p.dialUpstream(ctx)
	cancel()
	if err != nil {
		s.log.Warn().Err(err).Str("upstream", up).Msg("upstream unreachable")
		s.fatal(sqlstateUnableToConnect, fmt.Sprintf("pgrmw proxy: could not connect to upstream %s: %v", up, err))
		return "upstream unreachable: " + err.Error()
	}
	if !s.setServer(server) {
		server.Close()
		s.fatal(sqlstateAdminShutdown, "pgrmw proxy is shutting down")
		return "proxy shutdown"
	}
	defer server.Close()

	server.SetDeadline(time.Now().Add(startupTimeout))
	if _, err := server.Write(startup); err != nil {
		s.fatal(sqlstateConnectionFailure, fmt.Sprintf("pgrmw proxy: upstream %s: %v", up, err))
		return "upstream write failed: " + err.Error()
	}
	if reason, ok := s.authenticate(server); !ok {
		return reason
	}
	s.client.SetDeadline(noDeadline)
	server.SetDeadline(noDeadline)
	return s.relay(server)
}

// authenticate relays the authentication exchange until AuthenticationOk.
// ok is false when the session ends here.
func (s *session) authenticate(server net.Conn) (reason string, ok bool) {
	var sbuf, cbuf []byte
	for {
		frame, err := readMessage(server, sbuf, maxAuthMessage)
		if err != nil {
			s.fatal(sqlstateConnectionFailure, fmt.Sprintf("pgrmw proxy: upstream %s closed during authentication: %v", s.p.up.addr, err))
			return "upstream failed during authentication: " + err.Error(), false
		}
		sbuf = frame
		switch frame[0] {
		case 'R':
			if len(frame) < 9 {
				s.fatal(sqlstateProtocolViolation, "pgrmw proxy: malformed authentication request from upstream")
				return "malformed authentication request", false
			}
			authType := binary.BigEndian.Uint32(frame[5:9])
			if authType == pgproto3.AuthTypeSASL {
				if frame, _, err = stripChannelBinding(frame); err != nil {
					s.fatal(sqlstateInvalidAuthorization, "pgrmw proxy: "+err.Error())
					return err.Error(), false
				}
			}
			if _, err := s.client.Write(frame); err != nil {
				return "client write failed during authentication: " + err.Error(), false
			}
			switch authType {
			case pgproto3.AuthTypeOk:
				return "", true
			case pgproto3.AuthTypeCleartextPassword, pgproto3.AuthTypeMD5Password, pgproto3.AuthTypeGSS,
				pgproto3.AuthTypeGSSCont, pgproto3.AuthTypeSSPI, pgproto3.AuthTypeSASL, pgproto3.AuthTypeSASLContinue:
				resp, err := readMessage(s.client, cbuf, maxAuthMessage)
				if err != nil {
					return "client left during authentication", false
				}
				cbuf = resp
				if _, err := server.Write(resp); err != nil {
					s.fatal(sqlstateConnectionFailure, fmt.Sprintf("pgrmw proxy: upstream %s: %v", s.p.up.addr, err))
					return "upstream write failed during authentication: " + err.Error(), false
				}
			}
		case msgErrorResponse:
			if _, err := s.client.Write(frame); err != nil {
				return "client write failed during authentication", false
			}
			var er pgproto3.ErrorResponse
			if er.Decode(frame[5:]) == nil {
				s.emit(&analyzer.Event{Kind: analyzer.EventError, Severity: er.SeverityUnlocalized,
					SQLState: er.Code, Message: er.Message, Detail: er.Detail})
				if strings.Contains(er.Message, "channel binding") {
					s.log.Warn().Str("error", er.Message).Msg("SCRAM channel binding cannot pass through the proxy; with TLS on both hops clients need channel_binding=disable")
				}
				return fmt.Sprintf("refused by upstream: %s (SQLSTATE %s)", er.Message, er.Code), false
			}
			return "refused by upstream", false
		default: // NegotiateProtocolVersion, NoticeResponse
			if _, err := s.client.Write(frame); err != nil {
				return "client write failed during authentication", false
			}
		}
	}
}

// relay runs the two directions until the session ends.
func (s *session) relay(server net.Conn) string {
	client := s.client
	fe := newDirection(s, client, server, true)
	be := newDirection(s, server, client, false)
	beDone := make(chan error, 1)
	go func() {
		err := be.run()
		s.backendEnded(be, err)
		beDone <- err
	}()
	feErr := fe.run()
	s.frontendEnded.Store(true)

	var reason string
	var perr protocolError
	switch {
	case errors.As(feErr, &perr):
		server.Close()
		<-beDone
		if be.atBoundary() {
			s.fatal(sqlstateProtocolViolation, "pgrmw proxy: "+perr.msg)
		}
		reason = "client protocol violation: " + perr.msg
		s.log.Warn().Str("error", perr.msg).Msg("client broke the protocol; session closed")
	default:
		var rerr readError
		vanished := errors.As(feErr, &rerr) && !s.clientTerminated.Load() && !s.shutDown.Load()
		if vanished && fe.atBoundary() && fe.n == 0 {
			// The client left without Terminate: say goodbye for it so an
			// idle backend ends now rather than at its next failed write.
			server.SetWriteDeadline(time.Now().Add(time.Second))
			server.Write([]byte{msgTerminate, 0, 0, 0, 4})
		}
		server.Close()
		beErr := <-beDone
		if vanished && s.cancelPacket != nil {
			// A backend busy with a query notices a closed socket only when
			// it next writes; a long statement would run on for nobody.
			// Cancelling an idle backend is harmless.
			if err := s.p.forwardCancel(context.Background(), s.cancelPacket); err != nil {
				s.log.Debug().Err(err).Msg("cancel for vanished client failed")
			}
		}
		switch {
		case s.shutDown.Load():
			reason = "proxy shutdown"
		case s.clientTerminated.Load():
			reason = "client terminated"
		case errors.As(feErr, &rerr):
			if errors.Is(rerr.err, io.EOF) {
				reason = "client disconnected"
			} else if isClosed(rerr.err) && beErr != nil {
				reason = upstreamReason(beErr)
			} else {
				reason = "client connection failed: " + rerr.err.Error()
			}
		default:
			reason = upstreamReason(feErr)
		}
	}
	fe.release()
	be.release()
	return reason
}

// backendEnded runs when the server→client direction stops on its own: the
// upstream went away (or the client socket failed). Unless the client side
// stopped first, the client is told and closed.
func (s *session) backendEnded(be *direction, err error) {
	if s.frontendEnded.Load() {
		return
	}
	var rerr readError
	if errors.As(err, &rerr) && be.atBoundary() && !be.lastFatal && !s.clientTerminated.Load() {
		if s.shutDown.Load() {
			s.fatal(sqlstateAdminShutdown, "terminating connection: pgrmw proxy is shutting down")
		} else {
			s.log.Warn().Err(rerr.err).Msg("upstream connection lost")
			s.fatal(sqlstateConnectionFailure, fmt.Sprintf("pgrmw proxy: connection to upstream %s lost: %v", s.p.up.addr, rerr.err))
		}
	}
	s.client.Close()
}

func upstreamReason(err error) string {
	var rerr readError
	if errors.As(err, &rerr) {
		if errors.Is(rerr.err, io.EOF) {
			return "upstream closed the connection"
		}
		return "upstream connection lost: " + rerr.err.Error()
	}
	var werr writeError
	if errors.As(err, &werr) {
		return "write failed: " + werr.err.Error()
	}
	return err.Error()
}

func isClosed(err error) bool { return errors.Is(err, net.ErrClosed) }
