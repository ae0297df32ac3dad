package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// SARIF 2.1.0, the subset GitHub code scanning reads. Field names follow the
// specification exactly.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
}

// sarifInvocation says which rules could not run (server logs).
type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Descriptor sarifDescriptor `json:"descriptor"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
}

type sarifDescriptor struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           map[string]any     `json:"properties,omitempty"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// sarifSchema is the OASIS location of the 2.1.0 schema.
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// FingerprintKey names our fingerprint in partialFingerprints; the version
// suffix changes if the fingerprint's recipe ever does.
const FingerprintKey = "pgrmwFingerprint/v1"

func sarifLevel(s analyzer.Severity) string {
	switch s {
	case analyzer.SeverityError:
		return "error"
	case analyzer.SeverityWarning:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, r *Report) error {
	driver := sarifDriver{Name: "pgrmw", Version: r.Version, Rules: []sarifRule{}}
	index := map[string]int{}
	addRule := func(ri RuleInfo) {
		if _, ok := index[ri.ID]; ok {
			return
		}
		title, body := splitDoc(ri.Doc)
		if title == "" {
			title = ri.Name
		}
		if body == "" {
			body = title
		}
		index[ri.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{
			ID: ri.ID, Name: ri.Name,
			ShortDescription:     sarifText{Text: title},
			FullDescription:      sarifText{Text: firstParagraph(body)},
			Help:                 sarifText{Text: ri.Doc, Markdown: ri.Doc},
			DefaultConfiguration: sarifConfiguration{Level: sarifLevel(ri.Severity)},
			Properties: map[string]any{
				"tags":             []string{"postgresql", "concurrency", "lost-update"},
				"problem.severity": sarifLevel(ri.Severity),
			},
		})
	}
	for _, ri := range r.Rules {
		addRule(ri)
	}
	results := []sarifResult{}
	for i, f := range r.Findings {
		if _, ok := index[f.Rule]; !ok {
			// A findings file from another pgrmw may name a rule we lack.
			addRule(RuleInfo{ID: f.Rule, Name: f.Name, Severity: f.Severity, Doc: f.Name})
		}
		var loc Location
		if i < len(r.Locations) {
			loc = r.Locations[i]
		}
		line := loc.Line
		if line < 1 {
			line = 1 // GitHub requires a line; the input's first is honest enough
		}
		msg := oneLine(f.Message)
		for _, s := range f.Statements {
			msg += "\n" + s.Role + ": " + oneLine(s.SQL)
		}
		if f.Fix != "" {
			msg += "\nfix: " + f.Fix
		}
		results = append(results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: artifactURI(loc.Input)},
				Region:           sarifRegion{StartLine: line},
			}}},
			PartialFingerprints: map[string]string{FingerprintKey: f.Fingerprint},
			Properties:          sarifProperties(&f),
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: results}
	if len(r.Skipped) > 0 {
		inv := sarifInvocation{ExecutionSuccessful: true}
		for _, sk := range r.Skipped {
			inv.Notifications = append(inv.Notifications, sarifNotification{
				Descriptor: sarifDescriptor{ID: sk.ID}, Level: "note",
				Message: sarifText{Text: sk.ID + " " + sk.Name + " could not run: " + sk.Reason},
			})
		}
		run.Invocations = []sarifInvocation{inv}
	}
	log := sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

func sarifProperties(f *analyzer.Finding) map[string]any {
	p := map[string]any{"session": f.Session}
	if f.Table != "" {
		p["table"] = f.Table
	}
	if f.Key != nil {
		p["key"] = f.Key
	}
	if len(f.Columns) > 0 {
		p["columns"] = f.Columns
	}
	return p
}

// artifactURI is the input as a relative URI (GitHub resolves it against the
// repository root), with forward slashes.
func artifactURI(path string) string {
	switch path {
	case "":
		return "pgrmw-input"
	case StdinName:
		return "stdin"
	}
	if filepath.IsAbs(path) {
		if wd, err := filepath.Abs("."); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}

// splitDoc returns a rule doc's title (first line, without heading marks)
// and the rest.
func splitDoc(doc string) (string, string) {
	title, rest, _ := strings.Cut(strings.TrimSpace(doc), "\n")
	return strings.TrimSpace(strings.TrimLeft(title, "# ")), strings.TrimSpace(rest)
}

// firstParagraph is the doc's first paragraph of prose: headings are
// skipped, lines are joined.
func firstParagraph(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "#"):
			if len(lines) > 0 {
				return strings.Join(lines, " ")
			}
		case l == "":
			if len(lines) > 0 {
				return strings.Join(lines, " ")
			}
		default:
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}
