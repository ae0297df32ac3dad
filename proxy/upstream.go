package proxy

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// dialUpstream connects to the upstream and negotiates TLS as its sslmode
// says. The whole of it is bounded by ctx (the connect timeout).
func (p *Proxy) dialUpstream(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", p.up.addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		tc.SetKeepAlive(true)
	}
	if p.up.tls == nil {
		return conn, nil
	}
	// The deadline bounds the SSLRequest exchange and handshake; cleared after.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:4], 8)
	binary.BigEndian.PutUint32(req[4:8], codeSSLRequest)
	if _, err := conn.Write(req[:]); err != nil {
		conn.Close()
		return nil, fmt.Errorf("SSLRequest: %w", err)
	}
	var answer [1]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		conn.Close()
		return nil, fmt.Errorf("SSLRequest answer: %w", err)
	}
	switch answer[0] {
	case 'S':
		tconn := tls.Client(conn, p.up.tls)
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		tconn.SetDeadline(noDeadline)
		return tconn, nil
	case 'N':
		if p.up.plainFallback {
			conn.SetDeadline(noDeadline)
			return conn, nil
		}
		conn.Close()
		return nil, fmt.Errorf("server refused TLS and sslmode requires it")
	default:
		conn.Close()
		return nil, fmt.Errorf("unexpected answer %q to SSLRequest", answer[0])
	}
}

// forwardCancel passes a CancelRequest packet to the upstream on a fresh
// connection, as PostgreSQL expects, and closes it.
// cancelAckWait bounds the wait for the server to close a forwarded
// CancelRequest's connection.
const cancelAckWait = time.Second

func (p *Proxy) forwardCancel(ctx context.Context, pkt []byte) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.ConnectTimeout)
	defer cancel()
	conn, err := p.dialUpstream(ctx)
	if err != nil {
		return fmt.Errorf("cancel: connect upstream %s: %w", p.up.addr, err)
	}
	defer conn.Close()
	if _, err := conn.Write(pkt); err != nil {
		return fmt.Errorf("cancel: write: %w", err)
	}
	// The server closes the connection once it has read the request; waiting
	// for that keeps the cancel ordered before the client's next move. The
	// wait is bounded well below client budgets (pgx gives a cancelled
	// connection's whole cleanup 5 s): the request is already written.
	conn.SetReadDeadline(timeNow().Add(min(p.cfg.ConnectTimeout, cancelAckWait)))
	var b [1]byte
	conn.Read(b[:])
	return nil
}
