package capture

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Options configure a Writer.
type Options struct {
	// Values is "hash" (default when empty), "raw" or "none"; see the package doc.
	Values string
	// Key is the HMAC key for hash mode; empty means a random key per capture
	// (values then stay comparable within the capture only).
	Key []byte
	// RotateBytes starts a new part (FILE.1, FILE.2, …) once the current part
	// reaches this size; 0 never rotates.
	RotateBytes int64
}

// flushInterval bounds how long an event can sit in the buffer, so a capture
// of a quiet proxy is still current on disk.
const flushInterval = time.Second

// Writer records events to a capture file. It implements analyzer.Observer
// and is safe for concurrent use. Write errors cannot be returned from
// Observe: the first one is kept (Err, Close) and later events are dropped and
// counted.
type Writer struct {
	path string
	opts Options

	mu        sync.Mutex
	file      *os.File
	buf       *bufio.Writer
	line      bytes.Buffer
	partBytes int64
	header    Header
	redactor  *redactor
	normalize func(*analyzer.Event)
	err       error
	closed    bool

	written atomic.Uint64
	dropped atomic.Uint64

	stop    chan struct{}
	stopped chan struct{}
}

// Create starts a capture at path (truncating it) and writes its header.
func Create(path string, opts Options) (*Writer, error) {
	switch opts.Values {
	case "":
		opts.Values = ValuesHash
	case ValuesHash, ValuesRaw, ValuesNone:
	default:
		return nil, fmt.Errorf("capture values %q: want hash, raw or none", opts.Values)
	}
	if opts.RotateBytes < 0 {
		return nil, fmt.Errorf("capture rotate size %d: must not be negative", opts.RotateBytes)
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("capture id: %w", err)
	}
	w := &Writer{
		path: path,
		opts: opts,
		header: Header{
			Format: FormatName, Version: Version, Values: opts.Values,
			Capture: hex.EncodeToString(id), Created: time.Now().UTC(),
		},
		normalize: newNormalizer(),
		stop:      make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	if opts.Values == ValuesHash {
		key := opts.Key
		if len(key) == 0 {
			key = make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return nil, fmt.Errorf("capture key: %w", err)
			}
		}
		w.header.Hash = "hmac-sha256-80"
		w.header.KeyID = keyID(key)
		w.redactor = newRedactor(ValuesHash, key)
	} else {
		w.redactor = newRedactor(opts.Values, nil)
	}
	if err := w.openPart(); err != nil {
		return nil, err
	}
	go w.flushPeriodically()
	return w, nil
}

// Path is the first part's path.
func (w *Writer) Path() string { return w.path }

// Header returns the current part's header.
func (w *Writer) Header() Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.header
}

// Written and Dropped count events written and dropped after an error.
func (w *Writer) Written() uint64 { return w.written.Load() }
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// Err returns the first write error, if any.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// partPath is FILE for part 0 and FILE.n after.
func (w *Writer) partPath(part int) string {
	if part == 0 {
		return w.path
	}
	return w.path + "." + strconv.Itoa(part)
}

// openPart opens the current part and writes its header. Called with mu held
// (or before the writer is shared).
func (w *Writer) openPart() error {
	p := w.partPath(w.header.Part)
	// 0600: even hashed captures describe an application's traffic.
	f, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create capture: %w", err)
	}
	w.file = f
	w.buf = bufio.NewWriterSize(f, 256<<10)
	w.partBytes = 0
	hb, err := json.Marshal(w.header)
	if err != nil {
		return fmt.Errorf("capture header: %w", err)
	}
	hb = append(hb, '\n')
	if _, err := w.buf.Write(hb); err != nil {
		return fmt.Errorf("write capture header %s: %w", p, err)
	}
	w.partBytes += int64(len(hb))
	return nil
}

// rotate closes the current part and opens the next. Called with mu held.
func (w *Writer) rotate() error {
	if err := w.closePart(); err != nil {
		return err
	}
	w.header.Part++
	return w.openPart()
}

func (w *Writer) closePart() error {
	if err := w.buf.Flush(); err != nil {
		w.file.Close()
		return fmt.Errorf("flush capture: %w", err)
	}
	if err := w.file.Close(); err != nil {
		return fmt.Errorf("close capture: %w", err)
	}
	return nil
}

// Observe writes one event. The event is copied before values are rewritten,
// so other observers of the same event see it unchanged.
func (w *Writer) Observe(ev *analyzer.Event) {
	if ev == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.err != nil {
		w.dropped.Add(1)
		return
	}
	cp := *ev
	if _, ok := cp.Startup["password"]; ok {
		// Never in a startup packet in practice; never in a capture either.
		startup := make(map[string]string, len(cp.Startup))
		for k, v := range cp.Startup {
			if k != "password" {
				startup[k] = v
			}
		}
		cp.Startup = startup
	}
	// The normalizer replaces values in these slices: give it our own.
	cp.Params = slices.Clone(ev.Params)
	cp.Values = slices.Clone(ev.Values)
	w.normalize(&cp)
	if cp.Kind == analyzer.EventBind {
		// The normalizer turned this portal's rows to text as they come;
		// the capture must say so, or a reader normalizing again would
		// decode text as binary.
		cp.ResultFormats = nil
	}
	w.redactor.redact(&cp)
	w.line.Reset()
	enc := json.NewEncoder(&w.line)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toLine(&cp)); err != nil { // Encode appends '\n'
		// An unencodable event is skipped, not fatal: the capture stays usable.
		w.dropped.Add(1)
		return
	}
	n, err := w.buf.Write(w.line.Bytes())
	w.partBytes += int64(n)
	if err != nil {
		w.err = fmt.Errorf("write capture %s: %w", w.partPath(w.header.Part), err)
		w.dropped.Add(1)
		return
	}
	w.written.Add(1)
	if w.opts.RotateBytes > 0 && w.partBytes >= w.opts.RotateBytes {
		if err := w.rotate(); err != nil {
			w.err = err
		}
	}
}

// Flush writes buffered lines to the file.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	if err := w.buf.Flush(); err != nil && w.err == nil {
		w.err = fmt.Errorf("flush capture: %w", err)
	}
	return w.err
}

// Close flushes and closes the capture; it returns the first error the writer
// met. Events observed after Close are dropped.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.err
	}
	w.closed = true
	if err := w.closePart(); err != nil && w.err == nil {
		w.err = err
	}
	err := w.err
	w.mu.Unlock()
	close(w.stop)
	<-w.stopped
	return err
}

func (w *Writer) flushPeriodically() {
	defer close(w.stopped)
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.Flush()
		}
	}
}
