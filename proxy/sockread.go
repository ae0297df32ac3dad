package proxy

import (
	"io"
	"net"
	"os"
	"syscall"
)

// The relay's read loop on a plain TCP socket runs inside one
// syscall.RawConn.Read, to save the read(2) that only learns the socket is
// empty. net.Conn.Read tries read(2) first and waits for readiness only after
// EAGAIN, and every call starts by forgetting readiness already signalled,
// so a loop of Reads pays one futile read(2) per message batch and
// direction: a third of the relay's syscalls under pgbench, which
// PgBouncer does not pay. Inside one RawConn.Read the poller's readiness
// edges are kept: after a read that returned less than it asked for, the
// socket was empty at that instant, any byte arriving later raises a new
// edge, so the loop waits first and reads once. After a read that filled
// the buffer, it reads again at once.

// rawConnOf returns the raw socket of a plain TCP connection, nil for
// anything else (TLS, wrapped connections), which use net.Conn.Read.
func rawConnOf(c net.Conn) syscall.RawConn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// runRaw is run's loop on a raw socket.
func (d *direction) runRaw(raw syscall.RawConn) error {
	var end error
	err := raw.Read(func(fd uintptr) bool {
		d.takeBuffer()
		for {
			want := len(d.buf) - d.n
			m, err := syscall.Read(int(fd), d.buf[d.n:])
			var rerr error
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				// Nothing to read (the first call, before any readiness,
				// or a spurious wake-up): wait, holding no buffer.
				d.parkBuffer()
				return false
			case err != nil:
				m, rerr = 0, d.readOpError(os.NewSyscallError("read", err))
			case m == 0:
				rerr = io.EOF
			}
			if end = d.consume(m, rerr); end != nil {
				return true
			}
			if m < want {
				// Drained: wait for the next readiness edge, without
				// holding an empty buffer (idle sessions cost no buffers).
				d.parkBuffer()
				return false
			}
		}
	})
	if end != nil {
		return end
	}
	// The wait failed: the socket was closed or a deadline passed.
	return readError{d.readOpError(err)}
}

// readOpError wraps err as net.Conn.Read would.
func (d *direction) readOpError(err error) error {
	return &net.OpError{Op: "read", Net: "tcp", Source: d.src.LocalAddr(), Addr: d.src.RemoteAddr(), Err: err}
}

// parkBuffer returns the pooled buffer while the direction waits with
// nothing buffered; takeBuffer gets one back when bytes arrive.
func (d *direction) parkBuffer() {
	if d.n == 0 && d.pooled != nil && len(d.buf) == relayBufferSize && len(d.out) == 0 {
		d.putBuffer()
	}
}

func (d *direction) putBuffer() {
	bufferPool.Put(d.pooled)
	d.pooled, d.buf = nil, nil
	d.s.p.stats.relayBuffers.Add(-1)
}

func (d *direction) takeBuffer() {
	if d.pooled == nil {
		d.pooled = bufferPool.Get().(*[]byte)
		d.buf = *d.pooled
		d.s.p.stats.relayBuffers.Add(1)
	}
}
