// Command gencapture writes a synthetic capture for lint benchmarks:
//
//	go run ./lint/internal/gencapture -events 1000000 -out capture.jsonl
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/lint/internal/trafficgen"
)

func main() {
	events := flag.Int("events", 1_000_000, "at least this many events")
	out := flag.String("out", "capture.jsonl", "capture file to write")
	values := flag.String("values", "hash", "hash, raw or none")
	sessions := flag.Int("sessions", 100, "concurrent sessions")
	flag.Parse()
	w, err := capture.Create(*out, capture.Options{Values: *values, Key: []byte("bench")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencapture:", err)
		os.Exit(1)
	}
	g := trafficgen.New(1, *sessions, func(ev *analyzer.Event) { w.Observe(ev) })
	g.Generate(*events)
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gencapture:", err)
		os.Exit(1)
	}
	fmt.Printf("%d events written to %s\n", g.Events, *out)
}
