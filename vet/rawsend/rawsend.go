package rawsend

import (
	_ "embed"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

//go:embed doc.go
var doc string

// Directive is the comment by which a package requires supervised send.
const Directive = "//orchard:supervised-send"

// Analyzer reports raw sends to other processes in packages that carry
// Directive.
var Analyzer = &analysis.Analyzer{
	Name:     "rawsend",
	Doc:      vetutil.AnalyzerDoc(doc, "rawsend"),
	URL:      "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/rawsend",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func optedIn(pass *analysis.Pass) bool {
	for _, f := range pass.Files {
		if vetutil.IsTestFile(pass, f.Pos()) {
			continue
		}
		for _, g := range f.Comments {
			for _, c := range g.List {
				if c.Text == Directive || strings.HasPrefix(c.Text, Directive+" ") {
					return true
				}
			}
		}
	}
	return false
}

func run(pass *analysis.Pass) (any, error) {
	if !vetutil.UsesOrchard(pass) || !optedIn(pass) {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "rawsend")
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	insp.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call := n.(*ast.CallExpr)
		if vetutil.IsTestFile(pass, call.Pos()) || len(call.Args) < 2 {
			return
		}
		fn := vetutil.Callee(pass.TypesInfo, call)
		var name string
		switch {
		case vetutil.IsMethod(fn, vetutil.Process, "Proc", "Send"), vetutil.IsMethod(fn, vetutil.Process, "Proc", "SendDest"):
			name = "Proc." + fn.Name()
		case vetutil.IsMethod(fn, vetutil.Process, "Node", "Send"), vetutil.IsMethod(fn, vetutil.Process, "Node", "SendDest"):
			name = "Node." + fn.Name()
		case vetutil.IsFunc(fn, vetutil.GenServer, "Cast"):
			name = "genserver.Cast"
		default:
			return
		}
		var recv ast.Expr
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && name != "genserver.Cast" {
			recv = sel.X
		}
		if recv != nil && vetutil.IsSelfPID(pass.TypesInfo, call.Args[0], recv) {
			return // a self-send
		}
		d := analysis.Diagnostic{
			Pos:     call.Pos(),
			End:     call.End(),
			Message: "raw " + name + " to another process in a package that requires supervised delivery (" + Directive + "): use send.Send",
		}
		if recv != nil && vetutil.IsProcHandle(pass.TypesInfo.TypeOf(recv)) {
			if file := vetutil.FileOf(pass, call.Pos()); file != nil {
				sendName, edits := vetutil.AddImport(file, vetutil.Send)
				edits = append(edits, analysis.TextEdit{
					Pos:     call.Pos(),
					End:     call.Args[0].Pos(),
					NewText: []byte(sendName + ".Send(" + types.ExprString(recv) + ".Context(), "),
				})
				d.SuggestedFixes = []analysis.SuggestedFix{{
					Message:   "Send with " + sendName + ".Send under the process's context",
					TextEdits: edits,
				}}
			}
		}
		rep.Report(d)
	})
	return nil, nil
}
