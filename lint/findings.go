package lint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/pgrmw/pgrmw/analyzer"
)

// readFindings reads findings in the shapes pgrmw writes: JSON Lines of
// Finding (the proxy's --findings file), `{"findings":[…]}` (lint's json
// output) or a bare array. JSON Lines stream in flat memory.
func readFindings(r io.Reader, add func(analyzer.Finding)) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	for n := 1; ; n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("finding %d: %w", n, err)
		}
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) > 0 && raw[0] == '[':
			var fs []analyzer.Finding
			if err := json.Unmarshal(raw, &fs); err != nil {
				return fmt.Errorf("findings array: %w", err)
			}
			for _, f := range fs {
				add(f)
			}
			continue
		}
		var env struct {
			Findings *[]analyzer.Finding `json:"findings"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			return fmt.Errorf("finding %d: %w", n, err)
		}
		if env.Findings != nil {
			for _, f := range *env.Findings {
				add(f)
			}
			continue
		}
		var f analyzer.Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("finding %d: %w", n, err)
		}
		if f.Rule == "" {
			return fmt.Errorf("finding %d: %w", n, errors.New(`no "rule" field: not a pgrmw findings file`))
		}
		add(f)
	}
}
