// Package vetutil holds what the orchardvet analyzers share: the Orchard
// package paths they recognise, the look-ups of Orchard calls and types,
// the allow directive, and the helpers that build suggested fixes. It uses
// only public golang.org/x/tools APIs.
package vetutil

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// Module is Orchard's module path; the analyzers recognise its packages
// by this prefix, so the stubs in testdata share it.
const Module = "github.com/seed-fe72f376/orchard"

// Package paths the analyzers look for.
const (
	Process   = Module + "/process"
	GenServer = Module + "/genserver"
	Send      = Module + "/send"
	Task      = Module + "/task"
	OTPTest   = Module + "/otptest"
)

// IsOrchard reports whether path is Orchard's module or one of its packages.
func IsOrchard(path string) bool {
	return path == Module || strings.HasPrefix(path, Module+"/")
}

// IsRuntime reports whether path is part of Orchard's runtime: the process
// package and its internal packages, and the module's internal plumbing.
// These are the only packages allowed to use the primitives the analyzers
// forbid elsewhere (bare go statements, raw timers).
func IsRuntime(path string) bool {
	for _, p := range []string{Process, Module + "/internal"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// UsesOrchard reports whether the package under analysis belongs to
// Orchard or imports one of its packages: the analyzers that enforce
// Orchard's rules skip everything else (the fast path of every Run).
func UsesOrchard(pass *analysis.Pass) bool {
	if IsOrchard(pass.Pkg.Path()) {
		return true
	}
	for _, imp := range pass.Pkg.Imports() {
		if IsOrchard(imp.Path()) {
			return true
		}
	}
	return false
}

// IsTestFile reports whether the file holding pos is a _test.go file.
func IsTestFile(pass *analysis.Pass, pos token.Pos) bool {
	return strings.HasSuffix(pass.Fset.File(pos).Name(), "_test.go")
}

// Callee returns the function or method called by call, or nil (a
// conversion, a call of a function value, a builtin).
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	f, _ := typeutil.Callee(info, call).(*types.Func)
	return f
}

// IsFunc reports whether fn is the package-level function pkg.name.
func IsFunc(fn *types.Func, pkg, name string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Name() != name || fn.Pkg().Path() != pkg {
		return false
	}
	return fn.Type().(*types.Signature).Recv() == nil
}

// IsMethod reports whether fn is the method name of the named type pkg.typ
// (through a pointer or not; a method promoted by embedding counts as the
// embedded type's, as Self's Send is process.Proc's).
func IsMethod(fn *types.Func, pkg, typ, name string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Name() != name {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return false
	}
	return IsNamed(recv.Type(), pkg, typ)
}

// IsNamed reports whether t is the named type pkg.name or a pointer to it.
func IsNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	return n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// IsProcHandle reports whether t is a process's handle on itself:
// *process.Proc or *genserver.Self (which embeds it).
func IsProcHandle(t types.Type) bool {
	return IsNamed(t, Process, "Proc") || IsNamed(t, GenServer, "Self")
}

// IsSelfPID reports whether e is recv.PID() on a process's handle on itself
// (p.PID() or s.PID()), and, when recv is non-nil, on the same variable or
// field path as recv.
func IsSelfPID(info *types.Info, e ast.Expr, recv ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "PID" {
		return false
	}
	tv, ok := info.Types[sel.X]
	if !ok || !IsProcHandle(tv.Type) {
		return false
	}
	return recv == nil || SameExpr(info, sel.X, recv)
}

// SameExpr reports whether a and b are the same identifier or selector
// path (s, s.self, r.s.self), by the objects they denote.
func SameExpr(info *types.Info, a, b ast.Expr) bool {
	a, b = ast.Unparen(a), ast.Unparen(b)
	switch a := a.(type) {
	case *ast.Ident:
		b, ok := b.(*ast.Ident)
		return ok && info.ObjectOf(a) != nil && info.ObjectOf(a) == info.ObjectOf(b)
	case *ast.SelectorExpr:
		b, ok := b.(*ast.SelectorExpr)
		return ok && info.ObjectOf(a.Sel) == info.ObjectOf(b.Sel) && SameExpr(info, a.X, b.X)
	}
	return false
}

// IsBackground reports whether e is context.Background() or
// context.TODO(), written in place or held in a local variable whose only
// assignment in body is one of them (ctx := context.Background()).
func IsBackground(info *types.Info, e ast.Expr, body ast.Node) bool {
	e = ast.Unparen(e)
	if call, ok := e.(*ast.CallExpr); ok {
		fn := Callee(info, call)
		return IsFunc(fn, "context", "Background") || IsFunc(fn, "context", "TODO")
	}
	id, ok := e.(*ast.Ident)
	if !ok || body == nil {
		return false
	}
	obj, ok := info.Uses[id].(*types.Var)
	if !ok {
		return false
	}
	var values []ast.Expr
	assigned := 0
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				lid, ok := ast.Unparen(lhs).(*ast.Ident)
				if !ok || info.ObjectOf(lid) != obj {
					continue
				}
				assigned++
				if len(n.Rhs) == len(n.Lhs) {
					values = append(values, n.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if info.ObjectOf(name) != obj {
					continue
				}
				assigned++
				if len(n.Values) == len(n.Names) {
					values = append(values, n.Values[i])
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && info.ObjectOf(id) == obj {
					assigned += 2 // its address escapes: anything may write it
				}
			}
		}
		return true
	})
	if assigned != 1 || len(values) != 1 {
		return false
	}
	call, ok := ast.Unparen(values[0]).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := Callee(info, call)
	return IsFunc(fn, "context", "Background") || IsFunc(fn, "context", "TODO")
}

// ImportName returns the name under which file imports path ("" when it
// does not import it).
func ImportName(file *ast.File, path string) string {
	for _, spec := range file.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil || p != path {
			continue
		}
		if spec.Name != nil {
			return spec.Name.Name
		}
		return p[strings.LastIndex(p, "/")+1:]
	}
	return ""
}

// AddImport returns the edit that adds path to file's imports and the name
// to use, or no edit when file already imports it. The new import goes
// first in the first import block; gofmt sorts it.
func AddImport(file *ast.File, path string) (string, []analysis.TextEdit) {
	if name := ImportName(file, path); name != "" {
		return name, nil
	}
	name := path[strings.LastIndex(path, "/")+1:]
	for _, d := range file.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		if g.Lparen.IsValid() && len(g.Specs) > 0 {
			pos := g.Specs[0].Pos()
			return name, []analysis.TextEdit{{Pos: pos, End: pos, NewText: []byte(strconv.Quote(path) + "\n\t")}}
		}
		return name, []analysis.TextEdit{{Pos: g.End(), End: g.End(), NewText: []byte("\nimport " + strconv.Quote(path))}}
	}
	pos := file.Name.End()
	return name, []analysis.TextEdit{{Pos: pos, End: pos, NewText: []byte("\n\nimport " + strconv.Quote(path))}}
}

// FileOf returns the file of pass holding pos.
func FileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}
