package vetutil

import "go/ast"

// ResultKept reports whether the first result of the call on top of stack
// (the enclosing nodes, innermost last) is kept: assigned to a name or a
// field, returned, passed on. It is discarded when the call is an
// expression statement or its first result goes to the blank identifier.
func ResultKept(stack []ast.Node) bool {
	if len(stack) == 0 {
		return true
	}
	switch p := stack[len(stack)-1].(type) {
	case *ast.ExprStmt:
		return false
	case *ast.AssignStmt:
		if len(p.Rhs) == 1 && len(p.Lhs) > 0 {
			return !isBlank(p.Lhs[0])
		}
	case *ast.ValueSpec:
		if len(p.Values) == 1 && len(p.Names) > 0 {
			return p.Names[0].Name != "_"
		}
	}
	return true
}

func isBlank(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "_"
}
