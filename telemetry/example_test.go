package telemetry_test

import (
	"errors"
	"fmt"

	"github.com/seed-fe72f376/orchard/telemetry"
)

// Attach a handler, emit events, detach it.
func ExampleRegistry_Attach() {
	r := telemetry.New()
	_ = r.Attach("print", []string{"shop.order.placed"}, func(event string, m telemetry.Measurements, md telemetry.Metadata) {
		fmt.Println(event, m["amount"], md["customer"])
	})
	r.Execute("shop.order.placed", telemetry.Measurements{"amount": 42}, telemetry.Metadata{"customer": "ada"})
	_ = r.Detach("print")
	r.Execute("shop.order.placed", telemetry.Measurements{"amount": 7}, nil) // nobody listens
	// Output: shop.order.placed 42 ada
}

// A span emits start, then stop or exception.
func ExampleRegistry_Span() {
	r := telemetry.New()
	_ = r.Attach("print", []string{"job.start", "job.stop", "job.exception"}, func(event string, _ telemetry.Measurements, md telemetry.Metadata) {
		fmt.Println(event, md["kind"])
	})
	_ = r.Span("job", nil, func() (telemetry.Metadata, error) { return nil, nil })
	_ = r.Span("job", nil, func() (telemetry.Metadata, error) { return nil, errors.New("failed") })
	// Output:
	// job.start <nil>
	// job.stop <nil>
	// job.start <nil>
	// job.exception error
}

// A handler that panics is detached; the emitter carries on.
func ExampleRegistry_Execute_panickingHandler() {
	r := telemetry.New(quiet())
	_ = r.Attach("fragile", []string{"tick"}, func(string, telemetry.Measurements, telemetry.Metadata) { panic("bug") })
	r.Execute("tick", nil, nil)
	fmt.Println(len(r.Handlers()), "handlers left")
	// Output: 0 handlers left
}
