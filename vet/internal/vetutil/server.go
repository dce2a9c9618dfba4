package vetutil

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
)

// Server is a genserver callback type of the package under analysis: a
// named type with an Init(*genserver.Self) error method.
type Server struct {
	Type    *types.TypeName
	Methods map[string]*ast.FuncDecl
}

// Servers returns the package's genserver callback types, with their
// method declarations, leaving out those of _test.go files (tests build
// misbehaving servers on purpose).
func Servers(pass *analysis.Pass) []*Server {
	byType := map[*types.TypeName]*Server{}
	var order []*Server
	for _, f := range pass.Files {
		if IsTestFile(pass, f.Pos()) {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
				continue
			}
			tn := recvType(pass.TypesInfo, fd)
			if tn == nil {
				continue
			}
			s := byType[tn]
			if s == nil {
				s = &Server{Type: tn, Methods: map[string]*ast.FuncDecl{}}
				byType[tn] = s
				order = append(order, s)
			}
			s.Methods[fd.Name.Name] = fd
		}
	}
	var out []*Server
	for _, s := range order {
		if init := s.Methods["Init"]; init != nil && IsInit(pass.TypesInfo, init) {
			out = append(out, s)
		}
	}
	return out
}

func recvType(info *types.Info, fd *ast.FuncDecl) *types.TypeName {
	t := info.TypeOf(fd.Recv.List[0].Type)
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Origin().Obj()
	}
	return nil
}

// IsInit reports whether fd is a method Init(*genserver.Self) error.
func IsInit(info *types.Info, fd *ast.FuncDecl) bool {
	if fd.Name.Name != "Init" || fd.Recv == nil {
		return false
	}
	obj, ok := info.Defs[fd.Name].(*types.Func)
	if !ok {
		return false
	}
	sig := obj.Type().(*types.Signature)
	return sig.Params().Len() == 1 && IsNamed(sig.Params().At(0).Type(), GenServer, "Self")
}

// Handlers are the callbacks that run on messages after Init.
var Handlers = []string{"HandleCall", "HandleCast", "HandleInfo", "HandleContinue"}

// Reach returns the declarations reachable from roots through direct calls
// to functions and methods declared in the package (roots included).
func Reach(pass *analysis.Pass, roots []*ast.FuncDecl) []*ast.FuncDecl {
	decls := map[*types.Func]*ast.FuncDecl{}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if obj, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[obj] = fd
				}
			}
		}
	}
	seen := map[*ast.FuncDecl]bool{}
	var out []*ast.FuncDecl
	var visit func(fd *ast.FuncDecl)
	visit = func(fd *ast.FuncDecl) {
		if fd == nil || seen[fd] || fd.Body == nil {
			return
		}
		seen[fd] = true
		out = append(out, fd)
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if fn := Callee(pass.TypesInfo, call); fn != nil {
					visit(decls[fn.Origin()])
				}
			}
			return true
		})
	}
	for _, r := range roots {
		visit(r)
	}
	return out
}
