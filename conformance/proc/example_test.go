package proc_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/seed-fe72f376/orchard/conformance/proc"
)

// A scenario played on Orchard: a trapping parent sees its linked child's
// crash as an EXIT message, and a monitor sees it as DOWN.
func ExampleRun() {
	sc, err := proc.Decode(strings.NewReader(`{"name": "example", "steps": [
		{"do":"spawn","name":"a"},
		{"do":"trap_exit","by":"a","on":true},
		{"do":"spawn_link","by":"a","name":"b"},
		{"do":"spawn","name":"c"},
		{"do":"monitor","by":"c","to":"b"},
		{"do":"crash","by":"b"},
		{"do":"recv","by":"a"},
		{"do":"recv","by":"c"},
		{"do":"status","to":"a"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	trace, err := proc.Run(context.Background(), sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Join(trace, "\n"))
	// Output:
	// b died {boom,stack}
	// a got EXIT b {boom,stack}
	// c got DOWN b {boom,stack}
	// a alive
}
