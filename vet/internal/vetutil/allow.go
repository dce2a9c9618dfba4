package vetutil

import (
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// AllowPrefix starts the directive that silences an analyzer where a rule
// is broken on purpose:
//
//	//orchardvet:allow nakedgo,selftimer the reason, in words
//
// On the line of a finding, or on the line above it, it silences that
// finding; in a comment before the package clause it silences the whole
// file. A directive without a reason silences nothing and is reported.
const AllowPrefix = "//orchardvet:allow"

// AllowPackagePrefix starts the directive that silences an analyzer in a
// whole package, wherever it appears in the package's non-test files:
//
//	//orchardvet:allow-package selftimer the reason, in words
//
// It is meant for a package whose every use of a pattern is deliberate
// (a demo's display ticks), kept in a file of its own so that the reason
// is easy to find.
const AllowPackagePrefix = "//orchardvet:allow-package"

// Reporter reports an analyzer's diagnostics, except those an allow
// directive silences.
type Reporter struct {
	pass  *analysis.Pass
	name  string
	pkg   bool
	files map[*token.File]*allowed
}

type allowed struct {
	file  bool
	lines map[int]bool
}

// NewReporter reads the allow directives naming analyzer name in pass's
// files, and reports the directives that give no reason.
func NewReporter(pass *analysis.Pass, name string) *Reporter {
	r := &Reporter{pass: pass, name: name, files: map[*token.File]*allowed{}}
	for _, f := range pass.Files {
		a := &allowed{lines: map[int]bool{}}
		r.files[pass.Fset.File(f.FileStart)] = a
		for _, g := range f.Comments {
			for _, c := range g.List {
				if names, reason, ok := parseAllow(AllowPackagePrefix, c.Text); ok && slices.Contains(names, name) {
					if reason == "" {
						pass.Reportf(c.Pos(), "%s %s needs a reason after the analyzer names", AllowPackagePrefix, name)
					} else if !IsTestFile(pass, c.Pos()) {
						r.pkg = true
					}
					continue
				}
				names, reason, ok := parseAllow(AllowPrefix, c.Text)
				if !ok || !slices.Contains(names, name) {
					continue
				}
				if reason == "" {
					pass.Reportf(c.Pos(), "%s %s needs a reason after the analyzer names", AllowPrefix, name)
					continue
				}
				if c.End() < f.Package {
					a.file = true
					continue
				}
				line := pass.Fset.Position(c.Pos()).Line
				a.lines[line] = true
				a.lines[line+1] = true
			}
		}
	}
	return r
}

func parseAllow(prefix, text string) (names []string, reason string, ok bool) {
	rest, ok := strings.CutPrefix(text, prefix)
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return nil, "", false
	}
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i] // a comment after the directive is no reason
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil, "", true
	}
	return strings.Split(fields[0], ","), strings.TrimSpace(strings.Join(fields[1:], " ")), true
}

// Allowed reports whether an allow directive silences a finding at pos.
func (r *Reporter) Allowed(pos token.Pos) bool {
	if r.pkg {
		return true
	}
	a := r.files[r.pass.Fset.File(pos)]
	if a == nil {
		return false
	}
	return a.file || a.lines[r.pass.Fset.Position(pos).Line]
}

// Report reports d unless an allow directive silences it.
func (r *Reporter) Report(d analysis.Diagnostic) {
	if !r.Allowed(d.Pos) {
		r.pass.Report(d)
	}
}

// Reportf reports a finding at pos unless an allow directive silences it.
func (r *Reporter) Reportf(pos token.Pos, format string, args ...any) {
	if !r.Allowed(pos) {
		r.pass.Reportf(pos, format, args...)
	}
}
