package testsleep

import (
	_ "embed"
	"go/ast"

	"golang.org/x/tools/go/analysis"

	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

//go:embed doc.go
var doc string

// Analyzer reports time.Sleep used to wait in tests.
var Analyzer = &analysis.Analyzer{
	Name: "testsleep",
	Doc:  vetutil.AnalyzerDoc(doc, "testsleep"),
	URL:  "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/testsleep",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	if !vetutil.UsesOrchard(pass) {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "testsleep")
	for _, f := range pass.Files {
		if !vetutil.IsTestFile(pass, f.Pos()) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || !takesTesting(pass, fd.Type) || inBubble(pass, fd.Body) {
				continue
			}
			check(pass, rep, fd.Body)
		}
	}
	return nil, nil
}

func check(pass *analysis.Pass, rep *vetutil.Reporter, body *ast.BlockStmt) {
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return !isFuncLit(n)
		}
		fn := vetutil.Callee(pass.TypesInfo, call)
		switch {
		case vetutil.IsFunc(fn, "time", "Sleep"):
			rep.Reportf(call.Pos(), "time.Sleep waits in a test: wait for the event with otptest.Eventually or an otptest.Probe (or use testing/synctest for fake time)")
		case vetutil.IsMethod(fn, "testing", "T", "Run"), vetutil.IsMethod(fn, "testing", "B", "Run"):
			for _, a := range call.Args {
				if lit, ok := a.(*ast.FuncLit); ok {
					check(pass, rep, lit.Body)
				}
			}
		}
		return true // other function literals are skipped by isFuncLit
	})
}

// inBubble reports whether body calls synctest.Wait, which only a function
// running inside a testing/synctest bubble may do: its clock is fake.
func inBubble(pass *analysis.Pass, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && vetutil.IsFunc(vetutil.Callee(pass.TypesInfo, call), "testing/synctest", "Wait") {
			found = true
		}
		return !found
	})
	return found
}

func isFuncLit(n ast.Node) bool {
	_, ok := n.(*ast.FuncLit)
	return ok
}

func takesTesting(pass *analysis.Pass, ft *ast.FuncType) bool {
	for _, field := range ft.Params.List {
		t := pass.TypesInfo.TypeOf(field.Type)
		if vetutil.IsNamed(t, "testing", "T") || vetutil.IsNamed(t, "testing", "B") || vetutil.IsNamed(t, "testing", "TB") {
			return true
		}
	}
	return false
}
