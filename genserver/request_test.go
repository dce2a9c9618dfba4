package genserver_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAskMismatchDoesNotCompile type-checks testdata/askmismatch.go.txt,
// whose every line marked `// want "msg"` must fail to compile with msg,
// and whose other lines must compile: a request's declared reply type is
// enforced by the compiler at Ask's callers and at Req.Reply.
func TestAskMismatchDoesNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks genserver from source (a few seconds)")
	}
	src, err := os.ReadFile("testdata/askmismatch.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "askmismatch.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{} // line -> expected message
	re := regexp.MustCompile(`// want "([^"]+)"`)
	for i, line := range strings.Split(string(src), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			want[i+1] = m[1]
		}
	}
	got := map[int]string{}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "source", nil),
		Error:    func(err error) { te := err.(types.Error); got[fset.Position(te.Pos).Line] += te.Msg },
	}
	_, _ = conf.Check("askmismatch", fset, []*ast.File{f}, nil)
	for line, msg := range want {
		if !strings.Contains(got[line], msg) {
			t.Errorf("line %d: error %q; want one containing %q", line, got[line], msg)
		}
	}
	for line, msg := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("line %d: unexpected error %q", line, msg)
		}
	}
}
