// Command pgrmw catches lost updates: a PostgreSQL proxy, an offline linter
// over captured traffic and server logs, and reports.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(run(os.Args))
}

// exitCoder lets subcommands choose the process exit code (lint: 0/1/2).
type exitCoder interface{ ExitCode() int }

func run(args []string) int {
	// A CPU profile of the whole run, for `make bench` investigations.
	if path := os.Getenv("PGRMW_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			defer f.Close()
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	// A heap profile at the end of the run (what is still held then).
	if path := os.Getenv("PGRMW_MEMPROFILE"); path != "" {
		defer func() {
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	app := newApp()
	if err := app.Run(args); err != nil {
		fmt.Fprintln(os.Stderr, "pgrmw:", err)
		if ec, ok := err.(exitCoder); ok {
			return ec.ExitCode()
		}
		return 2
	}
	return 0
}

func newApp() *cli.App {
	return &cli.App{
		Name:  "pgrmw",
		Usage: "catch lost updates (read-modify-write races) in PostgreSQL traffic",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "trace, debug, info, warn, error", EnvVars: []string{"PGRMW_LOG_LEVEL"}},
			&cli.StringFlag{Name: "log-format", Value: "auto", Usage: "auto (console on a terminal, JSON otherwise), console or json"},
		},
		Before: func(c *cli.Context) error {
			return setupLogging(c.String("log-level"), c.String("log-format"))
		},
		Commands: []*cli.Command{
			proxyCommand(),
			lintCommand(),
			reportCommand(),
			rulesCommand(),
			demoCommand(),
		},
		ExitErrHandler:  func(*cli.Context, error) {}, // run() reports errors once
		HideHelpCommand: true,
	}
}

var logger zerolog.Logger

func setupLogging(level, format string) error {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return fmt.Errorf("--log-level %q: want trace, debug, info, warn or error", level)
	}
	zerolog.TimeFieldFormat = "2006-01-02T15:04:05.000Z07:00"
	var console bool
	switch format {
	case "auto":
		console = isTerminal(os.Stderr)
	case "console":
		console = true
	case "json":
	default:
		return fmt.Errorf("--log-format %q: want auto, console or json", format)
	}
	if console {
		logger = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: "15:04:05.000"}).Level(lvl).With().Timestamp().Logger()
	} else {
		logger = zerolog.New(os.Stderr).Level(lvl).With().Timestamp().Logger()
	}
	return nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
