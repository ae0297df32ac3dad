package proxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Startup packet codes (the int32 after the length of an untyped message).
const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102
	protocolMajor3    = 3

	// maxStartupPacket mirrors PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
	// maxAuthMessage bounds messages exchanged during authentication.
	maxAuthMessage = 1 << 20
)

// SQLSTATEs the proxy itself produces.
const (
	sqlstateConnectionFailure    = "08006"
	sqlstateUnableToConnect      = "08001"
	sqlstateProtocolViolation    = "08P01"
	sqlstateTooManyConnections   = "53300"
	sqlstateAdminShutdown        = "57P01"
	sqlstateInvalidAuthorization = "28000"
)

// readStartupPacket reads one untyped startup-phase packet (length + body)
// and returns the whole packet, length included, so it can be forwarded
// verbatim. first holds bytes of it already read (at most 4).
func readStartupPacket(r io.Reader, first []byte) ([]byte, error) {
	var hdr [4]byte
	have := copy(hdr[:], first)
	if _, err := io.ReadFull(r, hdr[have:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < 8 || n > maxStartupPacket {
		return nil, fmt.Errorf("invalid startup packet length %d", n)
	}
	pkt := make([]byte, n)
	copy(pkt, hdr[:])
	if _, err := io.ReadFull(r, pkt[4:]); err != nil {
		return nil, fmt.Errorf("startup packet: %w", err)
	}
	return pkt, nil
}

// readMessage reads one typed message (type, length, body) whole into buf
// (grown as needed) and returns the full frame. Used only during startup and
// authentication; the relay walks frames in place instead.
func readMessage(r io.Reader, buf []byte, maxLen int) ([]byte, error) {
	buf = append(buf[:0], 0, 0, 0, 0, 0)
	if _, err := io.ReadFull(r, buf[:5]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(buf[1:5])))
	if n < 4 || n > maxLen {
		return nil, fmt.Errorf("invalid length %d for message type %q", n, buf[0])
	}
	if cap(buf) < 1+n {
		nb := make([]byte, 1+n)
		copy(nb, buf[:5])
		buf = nb
	}
	buf = buf[:1+n]
	if _, err := io.ReadFull(r, buf[5:]); err != nil {
		return nil, fmt.Errorf("message %q: %w", buf[0], err)
	}
	return buf, nil
}

// startupParams decodes the key/value pairs of a StartupMessage packet
// (length and protocol version included). A "password" key, which no
// legitimate client sends, is dropped so it can never reach an event.
func startupParams(pkt []byte) (map[string]string, error) {
	var sm pgproto3.StartupMessage
	if err := sm.Decode(pkt[4:]); err != nil {
		return nil, err
	}
	delete(sm.Parameters, "password")
	return sm.Parameters, nil
}

// errorResponse encodes an ErrorResponse.
func errorResponse(severity, code, message, detail string) []byte {
	er := pgproto3.ErrorResponse{
		Severity: severity, SeverityUnlocalized: severity, Code: code,
		Message: message, Detail: detail,
	}
	b, err := er.Encode(nil)
	if err != nil {
		// Only possible for a message over 1 GiB; ours are a few hundred bytes.
		return nil
	}
	return b
}

// stripChannelBinding rewrites an AuthenticationSASL frame without the
// "-PLUS" mechanisms (see the package doc). ok is false when the frame is
// not AuthenticationSASL.
func stripChannelBinding(frame []byte) (out []byte, ok bool, err error) {
	if len(frame) < 9 || frame[0] != 'R' || binary.BigEndian.Uint32(frame[5:9]) != pgproto3.AuthTypeSASL {
		return frame, false, nil
	}
	var sasl pgproto3.AuthenticationSASL
	if err := sasl.Decode(frame[5:]); err != nil {
		return nil, true, fmt.Errorf("AuthenticationSASL: %w", err)
	}
	kept := sasl.AuthMechanisms[:0]
	for _, m := range sasl.AuthMechanisms {
		if len(m) < 5 || m[len(m)-5:] != "-PLUS" {
			kept = append(kept, m)
		}
	}
	if len(kept) == 0 {
		return nil, true, errors.New("upstream offers only channel-binding SASL mechanisms, which cannot pass through a proxy")
	}
	sasl.AuthMechanisms = kept
	out, err = sasl.Encode(nil)
	return out, true, err
}
