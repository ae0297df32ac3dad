package analyzer

import "testing"

func TestIsUUIDAndTokenNames(t *testing.T) {
	for v, want := range map[string]bool{
		"1f44c1a0-5c3e-4d2a-9f1e-000000000001": true,
		"1F44C1A0-5C3E-4D2A-9F1E-00000000000A": true,
		"1f44c1a0-5c3e-4d2a-9f1e-00000000000":  false,
		"1f44c1a0x5c3e-4d2a-9f1e-000000000001": false,
		"250":                                  false,
		"9f1e5c3e4d2a1f44c1a05c3e4d2a9f1e":     true,
		"9f1e5c3e4d2a1f44c1a05c3e4d2a9f1g":     false,
	} {
		if got := isUUID(v); got != want {
			t.Errorf("isUUID(%q) = %v, want %v", v, got, want)
		}
	}
	for col, want := range map[string]bool{
		"ConcurrencyStamp": true, "concurrency_token": true, "row_stamp": true, "version_id": true,
		"balance": false, "name": false,
	} {
		if got := isTokenName(col); got != want {
			t.Errorf("isTokenName(%q) = %v, want %v", col, got, want)
		}
	}
}

func TestIsSuccessor(t *testing.T) {
	for _, c := range []struct {
		read, written string
		want          bool
	}{{"0", "1", true}, {"41", "42", true}, {"1", "1", false}, {"1", "3", false}, {"x", "y", false},
		{"99999999999999999999", "100000000000000000000", true}} {
		if got := IsSuccessor(c.read, c.written); got != c.want {
			t.Errorf("IsSuccessor(%q, %q) = %v, want %v", c.read, c.written, got, c.want)
		}
	}
}

func TestCapValuesKeepsNullsEmptiesAndBounds(t *testing.T) {
	long := make([]byte, MaxValueBytes+10)
	for i := range long {
		long[i] = 'x'
	}
	in := [][]byte{[]byte("42"), nil, {}, long, []byte("tail")}
	out := CapValues(in)
	if len(out) != len(in) {
		t.Fatalf("len %d", len(out))
	}
	if string(out[0]) != "42" || out[1] != nil || out[2] == nil || len(out[2]) != 0 ||
		len(out[3]) != MaxValueBytes || string(out[4]) != "tail" {
		t.Fatalf("got %q", out)
	}
	// The copies are independent of the input and of each other.
	in[0][0] = '9'
	out[0] = append(out[0], '!')
	if string(out[0]) != "42!" || string(out[4]) != "tail" || out[3][0] != 'x' {
		t.Fatalf("values share memory: %q", out)
	}
	if CapValues(nil) != nil {
		t.Fatal("nil input must stay nil")
	}
}
