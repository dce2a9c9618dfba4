package a

import (
	"context"

	"github.com/seed-fe72f376/orchard/task"
)

func work() {}

func bad() {
	go work()   // want `bare go statement: run the work as a supervised task`
	go func() { // want `bare go statement`
		work()
	}()
}

func good(sup *task.Supervisor) {
	_, _ = task.Start(sup, func(ctx context.Context) error { work(); return nil })
}

func deliberate() {
	//orchardvet:allow nakedgo a pump that must outlive every process, for the test
	go work()
	go work() //orchardvet:allow nakedgo the same, on its own line
}

func noReason() {
	//orchardvet:allow nakedgo // want `needs a reason`
	go work() // want `bare go statement`
}
