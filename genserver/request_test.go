package genserver_test

import (
	"context"
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
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

// TestAsk: Ask returns the typed reply, the server's error, and the call
// errors of Call; a nil request is bad input.
func TestAsk(t *testing.T) {
	node := otptest.NewNode(t)
	ctx := context.Background()
	pid := start(t, node, &bank{})
	if n, err := genserver.Ask(ctx, pid, balance{Account: "bob"}); n != 7 || err != nil {
		t.Errorf("Ask(balance bob) = %v, %v; want 7, nil", n, err)
	}
	if names, err := genserver.Ask(ctx, pid, owners{}); len(names) != 2 || err != nil {
		t.Errorf("Ask(owners) = %v, %v; want 2 names", names, err)
	}
	if _, err := genserver.Ask(ctx, pid, unknownReq{}); err == nil || !strings.Contains(err.Error(), "unknown request") {
		t.Errorf("Ask(unknown) = %v; want the server's error", err)
	}
	if _, err := genserver.Ask[int](ctx, pid, nil); !errors.Is(err, genserver.ErrInvalidArgument) {
		t.Errorf("Ask(nil) = %v; want ErrInvalidArgument", err)
	}
	if err := genserver.Stop(pid, process.Normal, time.Second); err != nil {
		t.Fatal(err)
	}
	var ce *genserver.CallError
	if _, err := genserver.Ask(ctx, pid, balance{}); !errors.As(err, &ce) || !errors.Is(err, process.NoProc) {
		t.Errorf("Ask(dead server) = %v; want a *CallError matching noproc", err)
	}
}

// unknownReq declares a reply type the bank does not serve.
type unknownReq struct{ genserver.Req[bool] }
