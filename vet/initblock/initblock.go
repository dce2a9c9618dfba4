package initblock

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

//go:embed doc.go
var doc string

// Analyzer reports blocking work in a genserver's Init.
var Analyzer = &analysis.Analyzer{
	Name: "initblock",
	Doc:  vetutil.AnalyzerDoc(doc, "initblock"),
	URL:  "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/initblock",
	Run:  run,
}

const hint = "never block in Init: return and do it in HandleContinue (s.Continue)"

// blocking lists the functions and methods that block, by package, type
// ("" for a function) and name.
var blocking = []struct{ pkg, typ, name string }{
	{"time", "", "Sleep"},
	{"net", "", "Dial"}, {"net", "", "DialTimeout"}, {"net", "", "DialTCP"},
	{"net", "", "DialUDP"}, {"net", "", "DialIP"}, {"net", "", "DialUnix"},
	{"net", "Dialer", "Dial"}, {"net", "Dialer", "DialContext"},
	{"net/http", "", "Get"}, {"net/http", "", "Head"}, {"net/http", "", "Post"}, {"net/http", "", "PostForm"},
	{"net/http", "Client", "Do"}, {"net/http", "Client", "Get"}, {"net/http", "Client", "Head"},
	{"net/http", "Client", "Post"}, {"net/http", "Client", "PostForm"},
	{vetutil.Process, "Proc", "Receive"}, {vetutil.Process, "Proc", "ReceiveMatch"},
}

func run(pass *analysis.Pass) (any, error) {
	if !vetutil.UsesOrchard(pass) {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "initblock")
	for _, f := range pass.Files {
		if vetutil.IsTestFile(pass, f.Pos()) {
			continue // tests block in Init on purpose, to test start timeouts
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !vetutil.IsInit(pass.TypesInfo, fd) {
				continue
			}
			checkInit(pass, rep, fd.Body)
		}
	}
	return nil, nil
}

func checkInit(pass *analysis.Pass, rep *vetutil.Reporter, body *ast.BlockStmt) {
	ast.PreorderStack(body, nil, func(n ast.Node, stack []ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			fn := vetutil.Callee(pass.TypesInfo, n)
			for _, b := range blocking {
				if (b.typ == "" && vetutil.IsFunc(fn, b.pkg, b.name)) || (b.typ != "" && vetutil.IsMethod(fn, b.pkg, b.typ, b.name)) {
					name := b.name
					if b.typ != "" {
						name = b.typ + "." + name
					}
					rep.Reportf(n.Pos(), "%s.%s blocks in Init: %s", pathName(b.pkg), name, hint)
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && !isSelectComm(n, stack) {
				rep.Reportf(n.Pos(), "channel receive blocks in Init: %s", hint)
			}
		case *ast.RangeStmt:
			if t := pass.TypesInfo.TypeOf(n.X); t == nil {
				break
			} else if _, ok := t.Underlying().(*types.Chan); ok {
				rep.Reportf(n.Pos(), "range over a channel blocks in Init: %s", hint)
			}
		case *ast.SelectStmt:
			if !boundedSelect(pass, n) {
				rep.Reportf(n.Pos(), "select with no default and no deadline blocks in Init: %s", hint)
			}
		}
		return true
	})
}

func pathName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[i+1:]
		}
	}
	return path
}

// isSelectComm reports whether the receive on top of stack is the
// communication of a select case (the select is judged as a whole).
func isSelectComm(recv *ast.UnaryExpr, stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		if cc, ok := stack[i].(*ast.CommClause); ok {
			return cc.Comm != nil && recv.Pos() >= cc.Comm.Pos() && recv.End() <= cc.Comm.End()
		}
		if _, ok := stack[i].(*ast.BlockStmt); ok {
			return false
		}
	}
	return false
}

// boundedSelect reports whether sel has a default case or a case that
// receives from a deadline: time.After, a Done() channel, a timer's or a
// ticker's C.
func boundedSelect(pass *analysis.Pass, sel *ast.SelectStmt) bool {
	for _, s := range sel.Body.List {
		cc := s.(*ast.CommClause)
		if cc.Comm == nil {
			return true
		}
		var x ast.Expr
		switch c := cc.Comm.(type) {
		case *ast.ExprStmt:
			x = c.X
		case *ast.AssignStmt:
			if len(c.Rhs) == 1 {
				x = c.Rhs[0]
			}
		}
		u, ok := ast.Unparen(x).(*ast.UnaryExpr)
		if !ok || u.Op != token.ARROW {
			continue
		}
		switch ch := ast.Unparen(u.X).(type) {
		case *ast.CallExpr:
			fn := vetutil.Callee(pass.TypesInfo, ch)
			if vetutil.IsFunc(fn, "time", "After") || (fn != nil && fn.Name() == "Done") {
				return true
			}
		case *ast.SelectorExpr:
			if ch.Sel.Name == "C" {
				t := pass.TypesInfo.TypeOf(ch.X)
				if vetutil.IsNamed(t, "time", "Timer") || vetutil.IsNamed(t, "time", "Ticker") {
					return true
				}
			}
		}
	}
	return false
}
