package sqltext

import (
	"reflect"
	"testing"
)

func TestLiterals(t *testing.T) {
	tests := []struct {
		sql  string
		want []string
	}{
		{"SELECT 1", []string{"1"}},
		{"SELECT balance FROM users WHERE id = 42", []string{"42"}},
		{"SELECT * FROM t WHERE a = 'O''Brien' AND b = $1", []string{"'O''Brien'"}},
		{"SELECT E'it\\'s', e'x''y'", []string{"E'it\\'s'", "e'x''y'"}},
		{"SELECT $$a 'b' $1$$, $tag$x$$y$tag$", []string{"$$a 'b' $1$$", "$tag$x$$y$tag$"}},
		{`SELECT "col1", "a""b" FROM "t2" WHERE "x" = 3`, []string{"3"}},
		{"SELECT 1 -- 2\n, 3", []string{"1", "3"}},
		{"SELECT /* 1 /* 2 */ 3 */ 4", []string{"4"}},
		{"SELECT 1.5e3, .5, 4., 1e-2, 0x1F, 1_000", []string{"1.5e3", ".5", "4.", "1e-2", "0x1F", "1_000"}},
		{"SELECT '1'::int, 2::text", []string{"'1'", "2"}},
		{"SELECT $1, $12 FROM t1 WHERE col2 = x3", nil},
		{"SELECT B'0101', X'ff', N'nat', U&'d\\0061t'", []string{"B'0101'", "X'ff'", "N'nat'", "U&'d\\0061t'"}},
		{"SELECT foo$bar, a$1 FROM t", nil},
		{"SELECT 'unterminated", []string{"'unterminated"}},
		{"SELECT -5", []string{"5"}},
		{"UPDATE t SET a = a - 1 WHERE id IN (1,2)", []string{"1", "1", "2"}},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range Literals(tt.sql) {
			got = append(got, tt.sql[l.Start:l.End])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Literals(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		sql, norm string
		values    []string
	}{
		{"SELECT balance FROM users WHERE id = 42", "SELECT balance FROM users WHERE id = $1", []string{"42"}},
		{"UPDATE users SET name = 'O''Brien' WHERE id = $1", "UPDATE users SET name = $2 WHERE id = $1", []string{"O'Brien"}},
		{"SELECT $2, 'a', $1, E'b\\nc'", "SELECT $2, $3, $1, $4", []string{"a", "b\nc"}},
		{"SELECT now()", "SELECT now()", nil},
		{"SELECT $q$x$q$, 1_000", "SELECT $1, $2", []string{"x", "1000"}},
	}
	for _, tt := range tests {
		norm, values := Normalize(tt.sql)
		if norm != tt.norm || !reflect.DeepEqual(values, tt.values) {
			t.Errorf("Normalize(%q) = %q, %q; want %q, %q", tt.sql, norm, values, tt.norm, tt.values)
		}
	}
}

func TestReplaceLiterals(t *testing.T) {
	got := ReplaceLiterals("UPDATE t SET a = 'x' WHERE id = 7 -- 'c'", func(lit string) string { return "<" + lit + ">" })
	want := "UPDATE t SET a = <'x'> WHERE id = <7> -- 'c'"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMaxParam(t *testing.T) {
	if got := MaxParam("SELECT $3, $10, '$20', $$ $30 $$"); got != 10 {
		t.Errorf("MaxParam = %d, want 10", got)
	}
}

func FuzzLiterals(f *testing.F) {
	for _, s := range []string{"SELECT 'a''b'", "$$x", "E'\\", "/* /*", "1e", "$a$b$a$", "U&\"x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		prev := 0
		for _, l := range Literals(sql) {
			if l.Start < prev || l.End <= l.Start || l.End > len(sql) {
				t.Fatalf("bad range %+v in %q", l, sql)
			}
			prev = l.End
		}
		Normalize(sql)
	})
}

func BenchmarkNormalize(b *testing.B) {
	sql := "UPDATE pgbench_accounts SET abalance = abalance + -4021 WHERE aid = 73521;"
	b.ReportAllocs()
	for b.Loop() {
		Normalize(sql)
	}
}

func BenchmarkLiterals(b *testing.B) {
	sql := "SELECT abalance FROM pgbench_accounts WHERE aid = 73521 AND name = 'x''y' /* c */"
	var buf []Literal
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendLiterals(buf[:0], sql)
	}
}
