package vet

import (
	"golang.org/x/tools/go/analysis"

	"github.com/seed-fe72f376/orchard/vet/calltimeout"
	"github.com/seed-fe72f376/orchard/vet/initblock"
	"github.com/seed-fe72f376/orchard/vet/monitorleak"
	"github.com/seed-fe72f376/orchard/vet/nakedgo"
	"github.com/seed-fe72f376/orchard/vet/rawsend"
	"github.com/seed-fe72f376/orchard/vet/selftimer"
	"github.com/seed-fe72f376/orchard/vet/testsleep"
)

// Analyzers returns every analyzer of the suite, in the order of the
// package documentation.
func Analyzers() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		nakedgo.Analyzer,
		calltimeout.Analyzer,
		monitorleak.Analyzer,
		selftimer.Analyzer,
		initblock.Analyzer,
		rawsend.Analyzer,
		testsleep.Analyzer,
	}
}
