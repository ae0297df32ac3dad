package serverlog

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// syntheticLog writes n statement records in the recommended stderr format:
// interleaved sessions, extended-protocol executes with parameters, simple
// statements, a multi-line statement now and then.
func syntheticLog(n int) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		s := i % 50
		ts := t0.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02 15:04:05.000")
		prefix := fmt.Sprintf("%s UTC [%d] 6b07.%x 00000 app@shop order ", ts, 1000+s, s)
		switch i % 4 {
		case 0, 1:
			fmt.Fprintf(&b, "%sLOG:  execute S_%d: SELECT balance FROM users WHERE id = $1\n", prefix, i%3)
			fmt.Fprintf(&b, "%sDETAIL:  parameters: $1 = '%d'\n", prefix, i)
		case 2:
			fmt.Fprintf(&b, "%sLOG:  statement: UPDATE users SET balance = balance + 1 WHERE id = %d\n", prefix, i)
		case 3:
			fmt.Fprintf(&b, "%sLOG:  statement: SELECT o.id\n\t  FROM orders o\n\t WHERE o.user_id = %d\n", prefix, i)
		}
	}
	return b.Bytes()
}

// BenchmarkStderrLog reports server-log reading throughput in records and
// events per second; BenchmarkScanLines is its baseline (splitting the same
// bytes into lines, nothing else).
func BenchmarkStderrLog(b *testing.B) {
	const records = 100_000
	log := syntheticLog(records)
	b.SetBytes(int64(len(log)))
	b.ResetTimer()
	events := 0
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(log), "bench.log", Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			events++
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkScanLines(b *testing.B) {
	log := syntheticLog(100_000)
	b.SetBytes(int64(len(log)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		for _, l := range bytes.Split(log, []byte("\n")) {
			n += len(l)
		}
	}
}
