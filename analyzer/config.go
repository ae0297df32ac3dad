package analyzer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config tunes the analyzer. The YAML form (pgrmw.yaml):
//
//	window: 30s              # how long after a read a write still counts
//	ledger:
//	  max_entries: 128       # rows remembered per session
//	  max_age: 60s
//	disable: [RMW004]
//	severity: {RMW002: error}
//	ignore_tables: [audit_log, public.sessions]
//	actions: {RMW001: block} # "log" or "block"; default from default_action
//	default_action: log
//	lock_held_threshold: 50ms          # RMW004
//	hot_row: {conflicts: 3, window: 10s} # RMW007
//	cache_size: 4096         # statement texts whose facts are kept
type Config struct {
	Window        time.Duration       `yaml:"window"`
	Ledger        LedgerConfig        `yaml:"ledger"`
	Disable       []string            `yaml:"disable"`
	Severity      map[string]string   `yaml:"severity"`
	IgnoreTables  []string            `yaml:"ignore_tables"`
	Actions       map[string]string   `yaml:"actions"`
	DefaultAction string              `yaml:"default_action"`
	LockHeld      time.Duration       `yaml:"lock_held_threshold"`
	HotRow        HotRowConfig        `yaml:"hot_row"`
	CacheSize     int                 `yaml:"cache_size"`
	severities    map[string]Severity `yaml:"-"`
}

// LedgerConfig bounds each session's memory of rows read.
type LedgerConfig struct {
	MaxEntries int           `yaml:"max_entries"`
	MaxAge     time.Duration `yaml:"max_age"`
}

// HotRowConfig: RMW007 fires when a row sees Conflicts conflicts within Window.
type HotRowConfig struct {
	Conflicts int           `yaml:"conflicts"`
	Window    time.Duration `yaml:"window"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Window:        30 * time.Second,
		Ledger:        LedgerConfig{MaxEntries: 128, MaxAge: 60 * time.Second},
		DefaultAction: "log",
		LockHeld:      50 * time.Millisecond,
		HotRow:        HotRowConfig{Conflicts: 3, Window: 10 * time.Second},
		CacheSize:     4096,
	}
}

// LoadConfig reads a YAML config over the defaults. Unknown keys are an
// error naming the key.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks values and prepares lookups.
func (c *Config) Validate() error {
	for rule, action := range c.Actions {
		if action != "log" && action != "block" {
			return fmt.Errorf("actions.%s: %q (want log or block)", rule, action)
		}
	}
	if c.DefaultAction != "" && c.DefaultAction != "log" && c.DefaultAction != "block" {
		return fmt.Errorf("default_action: %q (want log or block)", c.DefaultAction)
	}
	c.severities = make(map[string]Severity, len(c.Severity))
	for rule, s := range c.Severity {
		sev, err := ParseSeverity(s)
		if err != nil {
			return fmt.Errorf("severity.%s: %w", rule, err)
		}
		c.severities[strings.ToUpper(rule)] = sev
	}
	if c.Window < 0 || c.Ledger.MaxAge < 0 || c.LockHeld < 0 {
		return errors.New("durations must not be negative")
	}
	return nil
}

// FindConfig looks for pgrmw.yaml, pgrmw.yml, .pgrmw.yaml or .pgrmw.yml in dir.
func FindConfig(dir string) (string, bool) {
	for _, name := range []string{"pgrmw.yaml", "pgrmw.yml", ".pgrmw.yaml", ".pgrmw.yml"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
	}
	return "", false
}

// Action returns "log" or "block" for a rule.
func (c Config) Action(ruleID string) string {
	if a, ok := c.Actions[ruleID]; ok {
		return a
	}
	for id, a := range c.Actions {
		if strings.EqualFold(id, ruleID) {
			return a
		}
	}
	if c.DefaultAction == "block" {
		return "block"
	}
	return "log"
}

// Disabled reports whether a rule (by id or name) is disabled.
func (c Config) Disabled(r *Rule) bool {
	for _, d := range c.Disable {
		if strings.EqualFold(d, r.ID) || strings.EqualFold(d, r.Name) {
			return true
		}
	}
	return false
}

func (c *Config) severityOverride(ruleID string) (Severity, bool) {
	if c.severities == nil && len(c.Severity) > 0 {
		_ = c.Validate()
	}
	s, ok := c.severities[ruleID]
	return s, ok
}

func (c *Config) tableIgnored(table string) bool {
	for _, t := range c.IgnoreTables {
		if strings.EqualFold(t, table) {
			return true
		}
		if _, name, ok := strings.Cut(t, "."); ok && strings.EqualFold(name, table) {
			return true
		}
	}
	return false
}
