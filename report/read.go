package report

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

// ReadFindings reads a findings file in any of the shapes pgrmw writes:
// JSON Lines of Finding (the proxy's --findings file), `{"findings":[…]}`
// (`pgrmw lint --format json`), or a bare JSON array. Each finding is passed
// to add as it is decoded, so a JSON Lines file is read in flat memory.
func ReadFindings(r io.Reader, add func(analyzer.Finding)) error {
	br := bufio.NewReader(r)
	first, err := firstNonSpace(br)
	if err == io.EOF {
		return nil // an empty file holds no findings
	}
	if err != nil {
		return err
	}
	dec := json.NewDecoder(br)
	if first == '[' {
		return readArray(dec, add)
	}
	for n := 1; ; n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("finding %d: %w", n, err)
		}
		var env struct {
			Findings json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(raw, &env); err == nil && env.Findings != nil {
			if err := readArray(json.NewDecoder(bytes.NewReader(env.Findings)), add); err != nil {
				return err
			}
			continue
		}
		var f analyzer.Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("finding %d: %w", n, err)
		}
		if f.Rule == "" {
			return fmt.Errorf("finding %d: no \"rule\" field: not a pgrmw findings file", n)
		}
		add(f)
	}
}

// ReadFindingsFile reads one findings file; see ReadFindings.
func ReadFindingsFile(path string, add func(analyzer.Finding)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open findings: %w", err)
	}
	defer f.Close()
	if err := ReadFindings(f, add); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readArray(dec *json.Decoder, add func(analyzer.Finding)) error {
	if _, err := dec.Token(); err != nil { // '['
		return fmt.Errorf("findings array: %w", err)
	}
	for n := 1; dec.More(); n++ {
		var f analyzer.Finding
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("finding %d: %w", n, err)
		}
		add(f)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return fmt.Errorf("findings array: %w", err)
	}
	return nil
}

// firstNonSpace peeks at the first significant byte without consuming it.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("read findings: %w", err)
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		if err := br.UnreadByte(); err != nil {
			return 0, fmt.Errorf("read findings: %w", err)
		}
		return b, nil
	}
}
