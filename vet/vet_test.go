package vet_test

import (
	"go/types"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/vet"
	"github.com/seed-fe72f376/orchard/vet/internal/vettest"
	"github.com/seed-fe72f376/orchard/vet/internal/vetutil"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// TestAnalyzers: the suite is valid (unique names, docs, requirements),
// and every analyzer's Doc starts with its name and a summary.
func TestAnalyzers(t *testing.T) {
	as := vet.Analyzers()
	if len(as) != 7 {
		t.Fatalf("Analyzers() has %d analyzers; want 7", len(as))
	}
	if err := analysis.Validate(as); err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		title, rest, ok := strings.Cut(a.Doc, "\n\n")
		if !ok || title == "" || strings.Contains(title, "\n") || strings.HasPrefix(title, a.Name+":") || rest == "" {
			t.Errorf("%s: Doc = %q; want a one-line title without the name, a blank line, then the details", a.Name, a.Doc)
		}
	}
}

// stubs are the stub packages under vet/testdata that stand for Orchard's.
var stubs = []string{"process", "genserver", "send", "task", "otptest"}

// TestStubsMatchOrchard: every exported name of the testdata stubs exists
// in the real package, with the same signature (parameter names aside), so
// the analyzers' tests exercise the API the analyzers meet in real code.
func TestStubsMatchOrchard(t *testing.T) {
	if testing.Short() {
		t.Skip("loads Orchard's packages with go list")
	}
	var paths []string
	for _, s := range stubs {
		paths = append(paths, vetutil.Module+"/"+s)
	}
	mode := packages.NeedName | packages.NeedTypes
	stub, err := packages.Load(&packages.Config{
		Mode: mode, Dir: vettest.TestData(),
		Env: append(os.Environ(), "GOPATH="+vettest.TestData(), "GO111MODULE=off", "GOWORK=off", "GOFLAGS="),
	}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	real, err := packages.Load(&packages.Config{Mode: mode}, paths...)
	if err != nil {
		t.Fatal(err)
	}
	realByPath := map[string]*types.Package{}
	for _, p := range real {
		if len(p.Errors) > 0 {
			t.Fatalf("%s: %v", p.PkgPath, p.Errors)
		}
		realByPath[p.PkgPath] = p.Types
	}
	for _, sp := range stub {
		if len(sp.Errors) > 0 {
			t.Fatalf("stub %s: %v", sp.PkgPath, sp.Errors)
		}
		rp := realByPath[sp.PkgPath]
		if rp == nil {
			t.Fatalf("no real package %s", sp.PkgPath)
		}
		for _, name := range sp.Types.Scope().Names() {
			so := sp.Types.Scope().Lookup(name)
			if !so.Exported() {
				continue
			}
			ro := rp.Scope().Lookup(name)
			if ro == nil {
				t.Errorf("%s.%s: in the stub, not in Orchard", sp.PkgPath, name)
				continue
			}
			compare(t, sp.PkgPath+"."+name, so, ro)
		}
	}
}

func compare(t *testing.T, what string, so, ro types.Object) {
	t.Helper()
	switch so := so.(type) {
	case *types.Func:
		rf, ok := ro.(*types.Func)
		if !ok {
			t.Errorf("%s: a func in the stub, a %T in Orchard", what, ro)
			return
		}
		if s, r := sig(so.Signature()), sig(rf.Signature()); s != r {
			t.Errorf("%s: stub %s; Orchard %s", what, s, r)
		}
	case *types.TypeName:
		if _, ok := ro.(*types.TypeName); !ok {
			t.Errorf("%s: a type in the stub, a %T in Orchard", what, ro)
			return
		}
		ms := types.NewMethodSet(types.NewPointer(so.Type()))
		for sel := range ms.Methods() {
			m := sel.Obj().(*types.Func)
			if !m.Exported() || !slices.Contains([]string{so.Pkg().Path()}, m.Pkg().Path()) {
				continue
			}
			rm, _, _ := types.LookupFieldOrMethod(ro.Type(), true, ro.Pkg(), m.Name())
			rfn, ok := rm.(*types.Func)
			if !ok {
				t.Errorf("%s.%s: in the stub, not in Orchard", what, m.Name())
				continue
			}
			if s, r := sig(m.Signature()), sig(rfn.Signature()); s != r {
				t.Errorf("%s.%s: stub %s; Orchard %s", what, m.Name(), s, r)
			}
		}
	case *types.Const, *types.Var:
		if types.TypeString(so.Type(), qual) != types.TypeString(ro.Type(), qual) {
			t.Errorf("%s: stub type %s; Orchard %s", what, types.TypeString(so.Type(), qual), types.TypeString(ro.Type(), qual))
		}
	}
}

func qual(p *types.Package) string { return p.Path() }

// sig renders a signature without parameter names.
func sig(s *types.Signature) string {
	tuple := func(tu *types.Tuple, variadic bool) string {
		var parts []string
		for i := range tu.Len() {
			ty := tu.At(i).Type()
			if variadic && i == tu.Len()-1 {
				parts = append(parts, "..."+types.TypeString(ty.(*types.Slice).Elem(), qual))
				continue
			}
			parts = append(parts, types.TypeString(ty, qual))
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return "func" + tuple(s.Params(), s.Variadic()) + " " + tuple(s.Results(), false)
}
