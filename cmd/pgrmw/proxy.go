package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/pgrmw/pgrmw/proxy"
)

func proxyCommand() *cli.Command {
	return &cli.Command{
		Name:      "proxy",
		Usage:     "relay PostgreSQL traffic to an upstream server and watch it for lost updates",
		UsageText: "pgrmw proxy --upstream postgres://user@host:5432/db?sslmode=prefer [--listen 127.0.0.1:6432]",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Value: proxy.DefaultListen, Usage: "`host:port` clients connect to"},
			&cli.StringFlag{Name: "upstream", Usage: "PostgreSQL `URL` to relay to; its host, port and sslmode are used (clients' own user and database pass through)"},
			&cli.StringFlag{Name: "tls-cert", Usage: "certificate `file` for TLS towards clients (with --tls-key); clients are then offered SCRAM-SHA-256 without channel binding"},
			&cli.StringFlag{Name: "tls-key", Usage: "private key `file` for --tls-cert"},
			&cli.IntFlag{Name: "max-connections", Usage: "refuse client sessions beyond this many with SQLSTATE 53300 (0 = unlimited)"},
			&cli.DurationFlag{Name: "connect-timeout", Value: proxy.DefaultConnectTimeout, Usage: "upstream dial and TLS handshake timeout"},
			&cli.DurationFlag{Name: "shutdown-grace", Value: 10 * time.Second, Usage: "on SIGINT/SIGTERM, how long open sessions may finish before they are closed"},
		}, analysisFlags()...),
		Action: runProxy,
	}
}

// proxyConfig maps flags to proxy.Config; later flags (findings, capture,
// mode) add their Observer/Gate here.
func proxyConfig(c *cli.Context) proxy.Config {
	return proxy.Config{
		Listen:         c.String("listen"),
		Upstream:       c.String("upstream"),
		TLSCert:        c.String("tls-cert"),
		TLSKey:         c.String("tls-key"),
		MaxConnections: c.Int("max-connections"),
		ConnectTimeout: c.Duration("connect-timeout"),
		ShutdownGrace:  c.Duration("shutdown-grace"),
		Logger:         logger.With().Str("component", "proxy").Logger(),
	}
}

func runProxy(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("proxy: unexpected argument %q", c.Args().First())
	}
	if os.Getenv("GOGC") == "" {
		// The proxy's live heap is small and its garbage is per message
		// (events): at the default GOGC=100 the collector runs every few
		// milliseconds under load. 400 cut the analysis' user CPU by about
		// a sixth under pgbench (see BENCHMARKS.md); GOGC in the
		// environment still wins.
		debug.SetGCPercent(400)
	}
	cfg := proxyConfig(c)
	if cfg.Upstream == "" {
		return errors.New("proxy: --upstream is required (e.g. --upstream postgres://app@db.internal:5432/app?sslmode=prefer)")
	}
	lopts, err := liveOptionsFrom(c)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	l, err := startLive(lopts)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	defer func() {
		if err := l.Close(); err != nil {
			logger.Error().Err(err).Msg("closing analysis")
		}
	}()
	l.attach(&cfg)
	p, err := proxy.New(cfg)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	l.proxy.Store(p)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("proxy: cannot listen on %s: %w", cfg.Listen, unwrapOpError(err))
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the process the default way
		logger.Info().Msg("signal received: no longer accepting connections")
	}()
	if err := p.Serve(ctx, ln); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("proxy: %w", err)
	}
	st := p.Stats()
	logger.Info().Int64("sessions", st.SessionsTotal).Int64("events", st.EventsEmitted).Msg("proxy stopped")
	return nil
}

// unwrapOpError trims "listen tcp 127.0.0.1:6432: bind:" down to the reason.
func unwrapOpError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
