// Package proxy is a transparent PostgreSQL protocol 3 relay that turns every
// message crossing it into an analyzer.Event.
//
// The proxy knows the wire and nothing about lost updates: it hands events to
// Config.Observer and asks Config.Gate (block mode) before forwarding a client
// Query or Execute. Everything else is relayed byte for byte.
//
// # Hot path
//
// Each session runs two goroutines, one per direction. A direction reads what
// its socket has into a reusable buffer, walks the message frames (type byte +
// int32 length) in place, decodes only the kinds that become events and
// forwards the whole chunk with one write. Messages that produce no event
// (CopyData, DataRow beyond analyzer.MaxRowsPerResult, …) are streamed through
// without being buffered whole. With a nil Observer nothing is decoded at all.
//
// Events of one session come from its two directions, so Observe may be
// called for the same session from two goroutines at once. Causality holds:
// a client message's event is observed before the message is forwarded, so
// before any server response to it.
//
// # Startup and authentication
//
// SSLRequest is answered 'S' and TLS terminated when Config.TLSCert/TLSKey are
// set, 'N' otherwise; GSSENCRequest is answered 'N'; CancelRequest is forwarded
// to the upstream unchanged (clients hold the upstream backend's own key data).
// The StartupMessage is forwarded as sent, so the client's user and database
// are used upstream; the upstream URL supplies host, port and sslmode only.
// Authentication (trust, password, md5, SCRAM-SHA-256) passes through.
//
// Channel binding cannot pass through a proxy: the client's TLS session (if
// any) is not the upstream's, so SCRAM-SHA-256-PLUS would always fail. The
// proxy therefore removes every "-PLUS" mechanism from AuthenticationSASL and
// clients are offered SCRAM-SHA-256 only. Consequences:
//   - clients that require channel binding (channel_binding=require) cannot
//     connect through the proxy;
//   - with TLS on both hops (TLS-terminating proxy and an upstream sslmode
//     that ends up using TLS), a client that supports channel binding tells
//     the server "I could bind but you did not offer it" (gs2 flag 'y'), and
//     PostgreSQL, whose TLS connection does support binding, rejects that as
//     a downgrade ("SCRAM channel binding negotiation error"). The signed
//     SCRAM exchange cannot be rewritten, so such clients must set
//     channel_binding=disable. With a plain upstream hop (sslmode=disable,
//     e.g. a proxy beside the database) SCRAM works for every client; md5 and
//     password authentication are unaffected either way.
//
// # Upstream TLS
//
// The upstream URL's sslmode is honoured as libpq does (parsed with
// pgconn.ParseConfig): disable, allow/prefer (TLS if the server offers it),
// require, verify-ca, verify-full.
package proxy
