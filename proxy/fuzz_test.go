package proxy

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgrmw/pgrmw/analyzer"
)

// chunkConn is a net.Conn whose reads return the input in pieces of the
// given sizes and whose writes collect the output.
type chunkConn struct {
	net.Conn
	in     []byte
	chunks []byte
	out    bytes.Buffer
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := len(c.in)
	if len(c.chunks) > 0 {
		n = int(c.chunks[0])%len(c.in) + 1
		c.chunks = c.chunks[1:]
	}
	n = copy(b, c.in[:min(n, len(c.in))])
	c.in = c.in[n:]
	return n, nil
}

func (c *chunkConn) Write(b []byte) (int, error) { return c.out.Write(b) }

// FuzzRelay feeds arbitrary bytes, split at arbitrary points, through both
// directions with events and a gate on: the relay must never panic, and
// what it forwards must be exactly a prefix of what it read.
func FuzzRelay(f *testing.F) {
	var seed []byte
	for _, m := range []pgproto3.FrontendMessage{
		&pgproto3.Query{String: "select 1"},
		&pgproto3.Parse{Name: "s", Query: "select $1", ParameterOIDs: []uint32{23}},
		&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1"), nil}},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 5},
		&pgproto3.Close{ObjectType: 'S', Name: "s"},
		&pgproto3.Sync{},
	} {
		seed, _ = m.Encode(seed)
	}
	f.Add(seed, []byte{3, 7, 1, 200})
	var back []byte
	for _, m := range []pgproto3.BackendMessage{
		&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{Name: []byte("a"), DataTypeOID: 23}}},
		&pgproto3.DataRow{Values: [][]byte{[]byte("1")}},
		&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")},
		&pgproto3.ErrorResponse{Severity: "ERROR", Code: "22012", Message: "division by zero"},
		&pgproto3.ParameterStatus{Name: "a", Value: "b"},
		&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{1, 2, 3, 4}},
		&pgproto3.ReadyForQuery{TxStatus: 'I'},
	} {
		back, _ = m.Encode(back)
	}
	f.Add(back, []byte{0, 1, 2})
	f.Add([]byte{'D', 0, 0, 0, 6, 0, 1}, []byte{})
	f.Add([]byte{'Q', 0xff, 0xff, 0xff, 0xff}, []byte{})

	obs := analyzer.ObserverFunc(func(*analyzer.Event) {})
	gate := GateFunc(func(*analyzer.Event) *Refusal { return nil })
	f.Fuzz(func(t *testing.T, input, chunks []byte) {
		for _, fromClient := range []bool{true, false} {
			p, err := New(Config{Upstream: "postgres://u@127.0.0.1:1/db?sslmode=disable", Observer: obs, Gate: gate, MaxMessageBytes: 1 << 16})
			if err != nil {
				t.Fatal(err)
			}
			src := &chunkConn{in: input, chunks: chunks}
			dst := &chunkConn{}
			d := newDirection(&session{p: p, id: "fuzz"}, src, dst, fromClient)
			d.run()
			d.release()
			if !bytes.HasPrefix(input, dst.out.Bytes()) {
				t.Fatalf("fromClient=%v: forwarded bytes are not a prefix of the input", fromClient)
			}
		}
	})
}
