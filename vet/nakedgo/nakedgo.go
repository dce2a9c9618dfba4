package nakedgo

import (
	_ "embed"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

//go:embed doc.go
var doc string

// Analyzer reports bare go statements in packages that use Orchard.
var Analyzer = &analysis.Analyzer{
	Name:     "nakedgo",
	Doc:      vetutil.AnalyzerDoc(doc, "nakedgo"),
	URL:      "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/nakedgo",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	if !vetutil.UsesOrchard(pass) || vetutil.IsRuntime(pass.Pkg.Path()) {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "nakedgo")
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	insp.Preorder([]ast.Node{(*ast.GoStmt)(nil)}, func(n ast.Node) {
		if vetutil.IsTestFile(pass, n.Pos()) {
			return
		}
		rep.Reportf(n.Pos(), "bare go statement: run the work as a supervised task (task.Start) or a supervisor child, so its crash is seen and shutdown waits for it")
	})
	return nil, nil
}
