package selftimer

import (
	_ "embed"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

//go:embed doc.go
var doc string

// Analyzer reports processes that re-arm a private timer to themselves.
var Analyzer = &analysis.Analyzer{
	Name: "selftimer",
	Doc:  vetutil.AnalyzerDoc(doc, "selftimer"),
	URL:  "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/selftimer",
	Run:  run,
}

const msg = "process re-arms a private timer to itself (SendAfter to its own PID %s): periodic work belongs to the scheduler (schedule.Every)"

func run(pass *analysis.Pass) (any, error) {
	path := pass.Pkg.Path()
	if !vetutil.UsesOrchard(pass) || vetutil.IsRuntime(path) || path == vetutil.Module+"/schedule" {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "selftimer")
	reported := map[token.Pos]bool{}
	inServer := map[*ast.FuncDecl]bool{}
	for _, srv := range vetutil.Servers(pass) {
		for _, m := range srv.Methods {
			inServer[m] = true
		}
		var roots []*ast.FuncDecl
		for _, h := range vetutil.Handlers {
			if m := srv.Methods[h]; m != nil {
				roots = append(roots, m)
			}
		}
		for _, fd := range vetutil.Reach(pass, roots) {
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && selfTimer(pass, call) && !reported[call.Pos()] {
					reported[call.Pos()] = true
					rep.Reportf(call.Pos(), msg, "in a handler of "+srv.Type.Name())
				}
				return true
			})
		}
	}
	// Plain processes: a SendAfter to self inside a loop.
	for _, f := range pass.Files {
		if vetutil.IsTestFile(pass, f.Pos()) {
			continue
		}
		ast.PreorderStack(f, nil, func(n ast.Node, stack []ast.Node) bool {
			if fd, ok := n.(*ast.FuncDecl); ok && inServer[fd] {
				return false
			}
			call, ok := n.(*ast.CallExpr)
			if !ok || reported[call.Pos()] || !selfTimer(pass, call) || !inLoop(stack) {
				return true
			}
			reported[call.Pos()] = true
			rep.Reportf(call.Pos(), msg, "in a loop")
			return true
		})
	}
	return nil, nil
}

// selfTimer reports whether call is SendAfter to the caller's own PID.
func selfTimer(pass *analysis.Pass, call *ast.CallExpr) bool {
	fn := vetutil.Callee(pass.TypesInfo, call)
	if !vetutil.IsMethod(fn, vetutil.Process, "Proc", "SendAfter") && !vetutil.IsMethod(fn, vetutil.Process, "Node", "SendAfter") {
		return false
	}
	return len(call.Args) > 0 && vetutil.IsSelfPID(pass.TypesInfo, call.Args[0], nil)
}

// inLoop reports whether the innermost function around the top of stack
// has a for or range statement around it.
func inLoop(stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncLit, *ast.FuncDecl:
			return false
		}
	}
	return false
}
