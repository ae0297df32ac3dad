package report

import (
	"io"
	"testing"
)

// Rendering cost per page, for the live view's / (rendered per request).
func BenchmarkGroupFindings3000(b *testing.B) {
	fs := manyFindings(3000)
	for b.Loop() {
		GroupFindings(fs)
	}
}

func BenchmarkHTML300Groups(b *testing.B) {
	groups := GroupFindings(manyFindings(300))
	for b.Loop() {
		if err := HTML(io.Discard, groups, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdown3000Groups(b *testing.B) {
	groups := GroupFindings(manyFindings(3000))
	for b.Loop() {
		if err := Markdown(io.Discard, groups, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
