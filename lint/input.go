package lint

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/serverlog"
)

// InputKind is what an input file holds.
type InputKind int

const (
	KindUnknown  InputKind = iota
	KindCapture            // the proxy's --capture file
	KindStderr             // PostgreSQL stderr log
	KindCSVLog             // PostgreSQL csvlog
	KindJSONLog            // PostgreSQL jsonlog
	KindFindings           // findings: JSON Lines of Finding, or {"findings":[…]}
)

func (k InputKind) String() string {
	switch k {
	case KindCapture:
		return "capture"
	case KindStderr:
		return "stderr log"
	case KindCSVLog:
		return "csvlog"
	case KindJSONLog:
		return "jsonlog"
	case KindFindings:
		return "findings"
	}
	return "unknown"
}

// IsServerLog reports whether the kind is a PostgreSQL server log (no result
// rows, no command tags).
func (k InputKind) IsServerLog() bool {
	return k == KindStderr || k == KindCSVLog || k == KindJSONLog
}

// StdinName is the path that means standard input.
const StdinName = "-"

// input is one opened input, positioned at its start.
type input struct {
	path   string // as given ("-" for stdin)
	kind   InputKind
	br     *bufio.Reader
	closer io.Closer
	header capture.Header // captures only
}

func (in *input) Close() error {
	if in.closer == nil {
		return nil
	}
	return in.closer.Close()
}

// detectKind looks at the first line of br without consuming it.
func detectKind(br *bufio.Reader) InputKind {
	peek, _ := br.Peek(64 << 10)
	first := peek
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		first = peek[:i]
	}
	first = bytes.TrimSpace(first)
	if capture.IsCapture(first) {
		return KindCapture
	}
	switch serverlog.Detect(first) {
	case serverlog.FormatJSON:
		return KindJSONLog
	case serverlog.FormatCSV:
		return KindCSVLog
	case serverlog.FormatStderr:
		return KindStderr
	}
	if looksLikeFindings(bytes.TrimSpace(peek)) {
		return KindFindings
	}
	return KindUnknown
}

// looksLikeFindings accepts `{"findings":…`, `[{"rule":…` and a JSON Lines
// first object with a "rule" field.
func looksLikeFindings(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '[' {
		return bytes.Contains(b[:min(len(b), 4096)], []byte(`"rule"`)) || bytes.Equal(bytes.TrimSpace(b), []byte("[]"))
	}
	if b[0] != '{' {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var probe struct {
		Findings json.RawMessage `json:"findings"`
		Rule     string          `json:"rule"`
	}
	if err := dec.Decode(&probe); err != nil {
		// The peek may cut a long first object: fall back to its opening.
		head := b[:min(len(b), 64)]
		return bytes.HasPrefix(bytes.ReplaceAll(head, []byte(" "), nil), []byte(`{"findings":`)) ||
			bytes.HasPrefix(bytes.ReplaceAll(head, []byte(" "), nil), []byte(`{"rule":`))
	}
	return probe.Findings != nil || probe.Rule != ""
}

// openInputs opens and recognises every input. The parts of one capture are
// put in part order (within the positions they were given at), so a shell
// glob like capture.jsonl* works whatever order it expands to.
func openInputs(paths []string, stdin io.Reader) ([]*input, error) {
	var ins []*input
	closeAll := func() {
		for _, in := range ins {
			in.Close()
		}
	}
	usedStdin := false
	for _, p := range paths {
		in := &input{path: p}
		if p == StdinName {
			if usedStdin {
				closeAll()
				return nil, fmt.Errorf("standard input (-) given twice")
			}
			usedStdin = true
			if stdin == nil {
				stdin = os.Stdin
			}
			in.br = bufio.NewReaderSize(stdin, 256<<10)
		} else {
			f, err := os.Open(p)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("open input: %w", err)
			}
			if fi, err := f.Stat(); err == nil && fi.IsDir() {
				f.Close()
				closeAll()
				return nil, fmt.Errorf("%s is a directory: pass the files in it", p)
			}
			in.br = bufio.NewReaderSize(f, 256<<10)
			in.closer = f
		}
		if magic, _ := in.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
			// Gzipped (rotated logs, CI artifacts): read through it.
			zr, err := gzip.NewReader(in.br)
			if err != nil {
				in.Close()
				closeAll()
				return nil, fmt.Errorf("%s: gzip: %w", p, err)
			}
			in.br = bufio.NewReaderSize(zr, 256<<10)
		}
		in.kind = detectKind(in.br)
		if in.kind == KindCapture {
			line, _ := in.br.Peek(min(in.br.Buffered(), 64<<10))
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			in.header, _ = capture.ParseHeader(bytes.TrimSpace(line))
		}
		if in.kind == KindUnknown {
			// A stderr log may begin with lines that are not prefixed
			// (startup output): let the server-log reader look further.
			in.kind = KindStderr
		}
		ins = append(ins, in)
	}
	orderCaptureParts(ins)
	return ins, nil
}

func orderCaptureParts(ins []*input) {
	byCapture := map[string][]int{}
	for i, in := range ins {
		if in.kind == KindCapture {
			byCapture[in.header.Capture] = append(byCapture[in.header.Capture], i)
		}
	}
	for _, slots := range byCapture {
		if len(slots) < 2 {
			continue
		}
		parts := make([]*input, len(slots))
		for j, i := range slots {
			parts[j] = ins[i]
		}
		sort.SliceStable(parts, func(a, b int) bool { return parts[a].header.Part < parts[b].header.Part })
		for j, i := range slots {
			ins[i] = parts[j]
		}
	}
}
