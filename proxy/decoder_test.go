package proxy

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func encodeBody(t *testing.T, m pgproto3.BackendMessage) []byte {
	t.Helper()
	b, err := m.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b[5:]
}

// A prepared statement's RowDescription and tag repeat on every execution:
// the decoder shares the columns and the tag string while they do not
// change, and decodes afresh when they do.
func TestBackendDecoderReusesRepeatedDescriptionsAndTags(t *testing.T) {
	var d backendDecoder
	desc := func(names ...string) []byte {
		var rd pgproto3.RowDescription
		for i, n := range names {
			rd.Fields = append(rd.Fields, pgproto3.FieldDescription{Name: []byte(n), TableOID: 16384, TableAttributeNumber: uint16(i + 1), DataTypeOID: 23})
		}
		return encodeBody(t, &rd)
	}
	first, err := d.backendEvent(msgRowDescription, desc("id", "balance"))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.backendEvent(msgRowDescription, desc("id", "balance"))
	if &first.Columns[0] != &again.Columns[0] {
		t.Error("an identical RowDescription was decoded again")
	}
	other, _ := d.backendEvent(msgRowDescription, desc("id", "name"))
	if other.Columns[1].Name != "name" || first.Columns[1].Name != "balance" || &other.Columns[0] == &first.Columns[0] {
		t.Errorf("a different RowDescription: got %+v (first now %+v)", other.Columns, first.Columns)
	}
	if other.Columns[0].AttrNum != 1 || other.Columns[0].TableOID != 16384 || other.Columns[0].TypeOID != 23 {
		t.Errorf("column fields lost: %+v", other.Columns[0])
	}
	tag := func(s string) string {
		ev, err := d.backendEvent(msgCommandComplete, encodeBody(t, &pgproto3.CommandComplete{CommandTag: []byte(s)}))
		if err != nil {
			t.Fatal(err)
		}
		return ev.Tag
	}
	if a, b, c := tag("SELECT 1"), tag("SELECT 1"), tag("UPDATE 3"); a != "SELECT 1" || b != "SELECT 1" || c != "UPDATE 3" {
		t.Errorf("tags %q %q %q", a, b, c)
	}
}
