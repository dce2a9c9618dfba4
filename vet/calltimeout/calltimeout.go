package calltimeout

import (
	_ "embed"
	"fmt"
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

// Analyzer reports blocking Orchard calls with a background context and no
// timeout option.
var Analyzer = &analysis.Analyzer{
	Name:     "calltimeout",
	Doc:      vetutil.AnalyzerDoc(doc, "calltimeout"),
	URL:      "https://pkg.go.dev/github.com/seed-fe72f376/orchard/vet/calltimeout",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	if !vetutil.UsesOrchard(pass) {
		return nil, nil
	}
	rep := vetutil.NewReporter(pass, "calltimeout")
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	insp.WithStack([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push || vetutil.IsTestFile(pass, n.Pos()) {
			return true
		}
		check(pass, rep, n.(*ast.CallExpr), outerBody(stack))
		return true
	})
	return nil, nil
}

// outerBody is the body of the outermost function around the call, so that
// a closure's use of its parent's ctx variable is seen with its assignment.
func outerBody(stack []ast.Node) ast.Node {
	for _, n := range stack {
		switch n := n.(type) {
		case *ast.FuncDecl:
			return n.Body
		case *ast.FuncLit:
			return n.Body
		}
	}
	return nil
}

func check(pass *analysis.Pass, rep *vetutil.Reporter, call *ast.CallExpr, body ast.Node) {
	fn := vetutil.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || !vetutil.IsOrchard(fn.Pkg().Path()) {
		return
	}
	if strings.HasPrefix(fn.Name(), "With") || fn.Name() == "FromContext" || isInternal(fn.Pkg().Path()) {
		return
	}
	sig := fn.Type().(*types.Signature)
	ctxArg := -1
	for i := range sig.Params().Len() {
		if vetutil.IsNamed(sig.Params().At(i).Type(), "context", "Context") {
			ctxArg = i
			break
		}
	}
	if ctxArg < 0 || ctxArg >= len(call.Args) || !vetutil.IsBackground(pass.TypesInfo, call.Args[ctxArg], body) {
		return
	}
	name := fn.Pkg().Name() + "." + fn.Name()
	if recv := sig.Recv(); recv != nil {
		name = types.TypeString(recv.Type(), func(p *types.Package) string { return p.Name() }) + "." + fn.Name()
		name = strings.TrimPrefix(name, "*")
	}
	withTimeout := timeoutOption(fn.Pkg(), sig)
	if withTimeout == nil {
		rep.Reportf(call.Pos(), "%s with a background context and no deadline: pass a context with a deadline (context.WithTimeout) or the caller's context", name)
		return
	}
	if call.Ellipsis.IsValid() || len(call.Args) < sig.Params().Len()-1 {
		return // opts...: assume the slice has its timeout
	}
	for _, a := range call.Args[sig.Params().Len()-1:] {
		c, ok := ast.Unparen(a).(*ast.CallExpr)
		if ok && vetutil.Callee(pass.TypesInfo, c) == withTimeout {
			return
		}
	}
	d := analysis.Diagnostic{
		Pos:     call.Pos(),
		End:     call.End(),
		Message: fmt.Sprintf("%s with a background context and no timeout option: add %s.WithTimeout or pass a context with a deadline", name, fn.Pkg().Name()),
	}
	if file := vetutil.FileOf(pass, call.Pos()); file != nil {
		if pkgName := vetutil.ImportName(file, fn.Pkg().Path()); pkgName != "" {
			var edits []analysis.TextEdit
			var text string
			if def := defaultTimeout(fn.Pkg()); def != "" {
				text = fmt.Sprintf("%s.WithTimeout(%s.%s)", pkgName, pkgName, def)
			} else {
				var timeName string
				timeName, edits = vetutil.AddImport(file, "time")
				text = fmt.Sprintf("%s.WithTimeout(5*%s.Second)", pkgName, timeName)
			}
			if len(call.Args) > 0 {
				text = ", " + text
			}
			edits = append(edits, analysis.TextEdit{Pos: call.Rparen, End: call.Rparen, NewText: []byte(text)})
			d.SuggestedFixes = []analysis.SuggestedFix{{
				Message:   "Name the bound with " + pkgName + ".WithTimeout (it overrides the node's configured default for this call)",
				TextEdits: edits,
			}}
		}
	}
	rep.Report(d)
}

// isInternal reports whether path is an internal package: Orchard's own
// plumbing, which no user calls.
func isInternal(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/")
}

// defaultTimeout returns the name of pkg's exported default timeout
// constant (DefaultCallTimeout, DefaultTimeout), or "".
func defaultTimeout(pkg *types.Package) string {
	for _, name := range []string{"DefaultCallTimeout", "DefaultTimeout"} {
		if c, ok := pkg.Scope().Lookup(name).(*types.Const); ok && vetutil.IsNamed(c.Type(), "time", "Duration") {
			return name
		}
	}
	return ""
}

// timeoutOption returns the WithTimeout function of pkg whose result is the
// element type of sig's variadic options, or nil.
func timeoutOption(pkg *types.Package, sig *types.Signature) *types.Func {
	if !sig.Variadic() {
		return nil
	}
	elem := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
	fn, ok := pkg.Scope().Lookup("WithTimeout").(*types.Func)
	if !ok {
		return nil
	}
	res := fn.Type().(*types.Signature).Results()
	if res.Len() != 1 || !types.AssignableTo(res.At(0).Type(), elem) {
		return nil
	}
	return fn
}
