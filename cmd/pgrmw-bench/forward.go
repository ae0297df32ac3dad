package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pgrmw/pgrmw/internal/pgtest"
)

// The "forward" contender is the floor of what a relay written in Go can
// cost on this machine: one epoll loop on one locked thread moving bytes
// between the two sockets of each connection, with no protocol framing, no
// events and no analysis (PgBouncer's shape: no goroutine per connection).
// It is not a usable proxy (no startup handling, no cancel, no TLS); it is
// in the table to show how much of pgrmw's distance to PgBouncer any Go
// relay pays before doing any work of its own.

// forwardMode is the argument that makes pgrmw-bench run as the forwarder.
const forwardMode = "__forward"

// startForward runs this binary as the forwarder in front of srv.
func startForward(srv *pgtest.Server) (*contender, func(), error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(self, forwardMode, fmt.Sprintf("127.0.0.1:%d", port), srv.Addr())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start forwarder: %w", err)
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	if err := waitPort(port, 10*time.Second); err != nil {
		stop()
		return nil, nil, fmt.Errorf("forwarder did not listen: %w", err)
	}
	return &contender{name: "forward", host: "127.0.0.1", port: port, pid: cmd.Process.Pid}, stop, nil
}

// runForward is the forwarder process: accept, dial upstream, relay.
func runForward(listen, upstream string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll: %w", err)
	}
	l := &forwardLoop{ep: ep, peer: map[int]int{}}
	go l.run()
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		u, err := net.Dial("tcp", upstream)
		if err != nil {
			c.Close()
			continue
		}
		a, err1 := detachFD(c)
		b, err2 := detachFD(u)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		l.add(a, b)
	}
}

// detachFD takes a socket out of Go's poller: a non-blocking duplicate of
// its descriptor, the original closed.
func detachFD(c net.Conn) (int, error) {
	f, err := c.(*net.TCPConn).File()
	c.Close()
	if err != nil {
		return -1, err
	}
	defer f.Close()
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return -1, err
	}
	return fd, unix.SetNonblock(fd, true)
}

type forwardLoop struct {
	ep   int
	mu   sync.Mutex
	peer map[int]int
}

func (l *forwardLoop) add(a, b int) {
	l.mu.Lock()
	l.peer[a], l.peer[b] = b, a
	l.mu.Unlock()
	for _, fd := range []int{a, b} {
		unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	}
}

func (l *forwardLoop) closePair(fd int) {
	l.mu.Lock()
	p, ok := l.peer[fd]
	delete(l.peer, fd)
	delete(l.peer, p)
	l.mu.Unlock()
	unix.Close(fd)
	if ok {
		unix.Close(p)
	}
}

func (l *forwardLoop) run() {
	runtime.LockOSThread()
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.EpollWait(l.ep, events, -1)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return
		}
		for i := 0; i < n; i++ {
			fd := int(events[i].Fd)
			l.mu.Lock()
			dst, ok := l.peer[fd]
			l.mu.Unlock()
			if !ok {
				continue
			}
			m, err := unix.Read(fd, buf)
			if err == unix.EAGAIN {
				continue
			}
			if m <= 0 || writeAll(dst, buf[:m]) != nil {
				l.closePair(fd)
			}
		}
	}
}

// writeAll writes b, waiting for the socket when it is full (a floor
// measurement does not need to keep other connections going meanwhile).
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		k, err := unix.Write(fd, b)
		switch {
		case err == unix.EAGAIN:
			unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}, -1)
			continue
		case err == syscall.EINTR:
			continue
		case err != nil:
			return err
		}
		b = b[k:]
	}
	return nil
}
