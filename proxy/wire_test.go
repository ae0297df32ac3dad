package proxy

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestStripChannelBinding(t *testing.T) {
	in, _ := (&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}}).Encode(nil)
	out, ok, err := stripChannelBinding(in)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	var got pgproto3.AuthenticationSASL
	if err := got.Decode(out[5:]); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.AuthMechanisms, []string{"SCRAM-SHA-256"}) {
		t.Errorf("mechanisms = %v", got.AuthMechanisms)
	}
	if n := int(binary.BigEndian.Uint32(out[1:5])); n != len(out)-1 {
		t.Errorf("length field %d, frame %d", n, len(out))
	}

	onlyPlus, _ := (&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256-PLUS"}}).Encode(nil)
	if _, _, err := stripChannelBinding(onlyPlus); err == nil {
		t.Error("only -PLUS offered: want an error")
	}
	md5, _ := (&pgproto3.AuthenticationMD5Password{Salt: [4]byte{1, 2, 3, 4}}).Encode(nil)
	if out, ok, _ := stripChannelBinding(md5); ok || !bytes.Equal(out, md5) {
		t.Error("non-SASL frame changed")
	}
}

func TestPartialDataRowValues(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1000)
	row, _ := (&pgproto3.DataRow{Values: [][]byte{[]byte("42"), nil, big, []byte("tail")}}).Encode(nil)
	body := row[5:]
	// Cut inside the third value: the fourth is unknown.
	vals := partialDataRowValues(body[:2+4+2+4+4+300])
	if len(vals) != 3 || string(vals[0]) != "42" || vals[1] != nil || len(vals[2]) != 256 {
		t.Fatalf("got %d values: %q", len(vals), vals)
	}
	if all := partialDataRowValues(body); len(all) != 4 || string(all[3]) != "tail" {
		t.Errorf("whole row: %q", all)
	}
}
