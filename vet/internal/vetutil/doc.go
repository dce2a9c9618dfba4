package vetutil

import (
	"bufio"
	"strings"
)

// AnalyzerDoc extracts an analyzer's Doc from its package's doc.go text
// (embedded with go:embed): the comment lines after "# Analyzer name" up
// to the next heading, without the comment markers, the first one's
// "name: " prefix removed (the drivers print it), as
// golang.org/x/tools/go/analysis/passes do. It panics when the section is
// missing: a programming error found by any test.
func AnalyzerDoc(src, name string) string {
	var out []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "//") {
			if in {
				break
			}
			continue
		}
		text := strings.TrimPrefix(strings.TrimPrefix(line, "//"), " ")
		if strings.HasPrefix(text, "# ") {
			if in {
				break
			}
			if strings.TrimSpace(text) == "# Analyzer "+name {
				in = true
			}
			continue
		}
		if in {
			out = append(out, text)
		}
	}
	if !in {
		panic("vetutil: no # Analyzer " + name + " section in doc.go")
	}
	doc := strings.TrimSpace(strings.Join(out, "\n"))
	return strings.TrimPrefix(doc, name+": ")
}
