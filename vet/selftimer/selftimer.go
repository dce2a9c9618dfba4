package selftimer

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
		self := selfFields(pass, srv)
		var roots []*ast.FuncDecl
		for _, h := range vetutil.Handlers {
			if m := srv.Methods[h]; m != nil {
				roots = append(roots, m)
			}
		}
		for _, fd := range vetutil.Reach(pass, roots) {
			ast.PreorderStack(fd.Body, nil, func(n ast.Node, stack []ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok && selfTimer(pass, call, self) && !vetutil.ResultKept(stack) && !reported[call.Pos()] {
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
			if !ok || reported[call.Pos()] || !selfTimer(pass, call, nil) || vetutil.ResultKept(stack) || !inLoop(stack) {
				return true
			}
			reported[call.Pos()] = true
			rep.Reportf(call.Pos(), msg, "in a loop")
			return true
		})
	}
	return nil, nil
}

// selfTimer reports whether call is SendAfter to the caller's own PID: a
// PID() call on a process's handle, or a field of self (the fields a
// server stores its own PID in).
func selfTimer(pass *analysis.Pass, call *ast.CallExpr, self map[types.Object]bool) bool {
	fn := vetutil.Callee(pass.TypesInfo, call)
	if !vetutil.IsMethod(fn, vetutil.Process, "Proc", "SendAfter") && !vetutil.IsMethod(fn, vetutil.Process, "Node", "SendAfter") {
		return false
	}
	if len(call.Args) == 0 {
		return false
	}
	if sel, ok := ast.Unparen(call.Args[0]).(*ast.SelectorExpr); ok && self[pass.TypesInfo.ObjectOf(sel.Sel)] {
		return true
	}
	return vetutil.IsSelfPID(pass.TypesInfo, call.Args[0], nil)
}

// selfFields returns the fields in which srv's methods store the server's
// own PID (m.self = s.PID()).
func selfFields(pass *analysis.Pass, srv *vetutil.Server) map[types.Object]bool {
	self := map[types.Object]bool{}
	for _, m := range srv.Methods {
		ast.Inspect(m.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != len(as.Rhs) {
				return true
			}
			for i, lhs := range as.Lhs {
				if sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr); ok && vetutil.IsSelfPID(pass.TypesInfo, as.Rhs[i], nil) {
					self[pass.TypesInfo.ObjectOf(sel.Sel)] = true
				}
			}
			return true
		})
	}
	return self
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
