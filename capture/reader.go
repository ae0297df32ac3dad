package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pgrmw/pgrmw/analyzer"
)

// MaxLineBytes bounds one capture line (events cap their values, but SQL text
// is not capped).
const MaxLineBytes = 64 << 20

// ErrTruncated marks an incomplete last line: what a writer killed mid-write
// leaves behind. Callers treat it as a warning; the stream ends there.
var ErrTruncated = errors.New("truncated last line (capture cut off mid-write?)")

// LineError is a problem with one line of one file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Reader yields the events of one capture part, one at a time, in flat memory.
type Reader struct {
	name   string
	br     *bufio.Reader
	closer io.Closer
	header Header
	line   int
	done   bool
}

// Open opens a capture part and reads its header.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads a capture from r; name is used in errors.
func NewReader(r io.Reader, name string) (*Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 256<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	cr := &Reader{name: name, br: br}
	first, complete, err := cr.readLine()
	if err == io.EOF {
		return nil, &LineError{File: name, Line: 1, Err: errors.New("empty file: no capture header")}
	}
	if err != nil {
		return nil, &LineError{File: name, Line: 1, Err: err}
	}
	h, err := ParseHeader(first)
	if err != nil {
		return nil, &LineError{File: name, Line: 1, Err: err}
	}
	if !complete {
		cr.done = true
	}
	cr.header = h
	return cr, nil
}

// ParseHeader parses and checks a capture's first line.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("not a capture header: %w", err)
	}
	if h.Format != FormatName {
		return h, fmt.Errorf("not a pgrmw capture (format %q)", h.Format)
	}
	if h.Version < 1 || h.Version > Version {
		return h, fmt.Errorf("capture version %d not supported (this pgrmw reads up to %d)", h.Version, Version)
	}
	return h, nil
}

// IsCapture reports whether a file's first line is a capture header.
func IsCapture(firstLine []byte) bool {
	_, err := ParseHeader(firstLine)
	return err == nil
}

// Header is the part's header.
func (r *Reader) Header() Header { return r.header }

// Name is the file name used in errors.
func (r *Reader) Name() string { return r.name }

// Line is the number of the line last read (the header is line 1).
func (r *Reader) Line() int { return r.line }

// Next returns the next event, io.EOF at the end, a *LineError wrapping
// ErrTruncated for an incomplete last line (then io.EOF), or a *LineError
// for a malformed line, after which reading may continue with the next line.
func (r *Reader) Next() (*analyzer.Event, error) {
	for {
		if r.done {
			return nil, io.EOF
		}
		b, complete, err := r.readLine()
		if err == io.EOF {
			r.done = true
			return nil, io.EOF
		}
		if err != nil {
			r.done = true
			return nil, &LineError{File: r.name, Line: r.line, Err: err}
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		ev, err := decodeEvent(b)
		if !complete {
			r.done = true
			if err != nil {
				return nil, &LineError{File: r.name, Line: r.line, Err: ErrTruncated}
			}
		}
		if err != nil {
			return nil, &LineError{File: r.name, Line: r.line, Err: err}
		}
		return ev, nil
	}
}

// readLine returns the next line without its newline and whether it ended
// with one.
func (r *Reader) readLine() ([]byte, bool, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Long line: gather it, within MaxLineBytes.
		long := append([]byte(nil), b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			long = append(long, b...)
			if len(long) > MaxLineBytes {
				r.line++
				return nil, false, fmt.Errorf("line longer than %d bytes", MaxLineBytes)
			}
		}
		b = long
	}
	if len(b) == 0 && err == io.EOF {
		return nil, false, io.EOF
	}
	r.line++
	if err != nil && err != io.EOF {
		return nil, false, err
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return bytes.TrimSuffix(b[:n-1], []byte{'\r'}), true, nil
	}
	return b, false, nil
}

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}
