package monitorleak

import (
	_ "embed"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

//go:embed doc.go
var doc string

// Analyzer reports monitors created in a genserver and never removed.
var Analyzer = &analysis.Analyzer{
	Name: "monitorleak",
	Doc:  vetutil.AnalyzerDoc(doc, "monitorleak"),
	URL:  "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/monitorleak",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	if !vetutil.UsesOrchard(pass) {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "monitorleak")
	reported := map[token.Pos]bool{}
	for _, srv := range vetutil.Servers(pass) {
		var roots []*ast.FuncDecl
		for _, m := range srv.Methods {
			roots = append(roots, m)
		}
		decls := vetutil.Reach(pass, roots)
		demonitors, handlesDown := false, false
		type monitorCall struct {
			call *ast.CallExpr
			kept bool
		}
		var monitors []monitorCall
		for _, fd := range decls {
			ast.PreorderStack(fd.Body, nil, func(n ast.Node, stack []ast.Node) bool {
				if e, ok := n.(ast.Expr); ok {
					if tv, ok := pass.TypesInfo.Types[e]; ok && tv.IsType() && vetutil.IsNamed(tv.Type, vetutil.Process, "Down") {
						handlesDown = true
					}
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				fn := vetutil.Callee(pass.TypesInfo, call)
				switch {
				case vetutil.IsMethod(fn, vetutil.Process, "Proc", "Demonitor"):
					demonitors = true
				case vetutil.IsMethod(fn, vetutil.Process, "Proc", "Monitor"):
					monitors = append(monitors, monitorCall{call, vetutil.ResultKept(stack)})
				}
				return true
			})
		}
		for _, m := range monitors {
			if reported[m.call.Pos()] {
				continue
			}
			switch {
			case m.kept && !demonitors:
				reported[m.call.Pos()] = true
				rep.Reportf(m.call.Pos(), "monitor kept by %s but never removed: no handler or Terminate of %s calls Demonitor", srv.Type.Name(), srv.Type.Name())
			case !m.kept && !handlesDown:
				reported[m.call.Pos()] = true
				rep.Reportf(m.call.Pos(), "monitor Ref discarded and %s does not handle process.Down: nothing ends this monitor while the target lives; keep the Ref and Demonitor it", srv.Type.Name())
			}
		}
	}
	return nil, nil
}
