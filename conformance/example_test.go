package conformance_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/seed-fe72f376/orchard/conformance"
)

// ExampleRun replays a small scenario in real time and prints its trace.
func ExampleRun() {
	sc, err := conformance.Decode(strings.NewReader(`{
		"name": "example",
		"tree": {"strategy": "one_for_one", "intensity": 3,
		         "children": [{"id": "a"}, {"id": "b", "behavior": {"trap_exit": true}}]},
		"steps": [{"crash": "root/a", "reason": "boom"}, {"stop": "root"}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	trace, err := conformance.Run(context.Background(), sc, conformance.RealClock{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = conformance.WriteTrace(os.Stdout, trace)
	// Output:
	// [
	//   "sup_init root",
	//   "start root/a",
	//   "start root/b",
	//   "result start_link root {ok,pid}",
	//   "step 1 crash",
	//   "exit root/a boom",
	//   "start root/a",
	//   "step 2 stop",
	//   "terminate root/b shutdown",
	//   "exit root/b shutdown",
	//   "exit root/a shutdown",
	//   "sup_exit root shutdown"
	// ]
}
