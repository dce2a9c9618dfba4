package conformance

import (
	"fmt"
	"io"
	"strings"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Compare returns "" when got equals want, else a readable report: the
// first differing index (1-based, as conf_gen prints it) with both sides,
// then the whole of both traces side by side, differing lines marked.
func Compare(want, got []string) string {
	n := 0
	for n < len(want) && n < len(got) && want[n] == got[n] {
		n++
	}
	if n == len(want) && n == len(got) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at event %d:\n  expect: %s\n  actual: %s\n", n+1, at(want, n), at(got, n))
	b.WriteString("full traces (expect | actual):\n")
	width := 0
	for _, l := range want {
		width = max(width, len(l))
	}
	for i := range max(len(want), len(got)) {
		mark := " "
		if i >= len(want) || i >= len(got) || want[i] != got[i] {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %3d  %-*s | %s\n", mark, i+1, width, at(want, i), at(got, i))
	}
	return b.String()
}

func at(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "<end>"
}

// WriteTrace writes trace as the reference runner prints it: a JSON
// array of strings, one element per line, followed by a newline.
//
// A nil w is an error matching [ErrInvalidArgument].
func WriteTrace(w io.Writer, trace []string) error {
	if w == nil {
		return argerr.Nil("conformance: WriteTrace", "w")
	}
	var b strings.Builder
	if len(trace) == 0 {
		b.WriteString("[]\n")
	} else {
		b.WriteString("[\n")
		for i, e := range trace {
			b.WriteString("  ")
			writeJSONString(&b, e)
			if i < len(trace)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSONString quotes s as the reference's cjson does: only ", \ and
// control characters are escaped; everything else is written as is.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 32:
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
}
