package vet_test

import (
	"fmt"

	"github.com/seed-fe72f376/orchard/vet"
)

// The suite's analyzers, as cmd/orchardvet runs them; each is also usable
// alone in another checker (multichecker.Main, gopls' analyzers list).
func ExampleAnalyzers() {
	for _, a := range vet.Analyzers() {
		fmt.Println(a.Name)
	}
	// Output:
	// nakedgo
	// calltimeout
	// monitorleak
	// selftimer
	// initblock
	// rawsend
	// testsleep
}
