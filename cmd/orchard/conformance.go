package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/seed-fe72f376/orchard/conformance"
)

const conformanceUsage = `usage: orchard conformance run [-check] FILE.json

Replays one supervisor conformance scenario (see conformance/testdata/FORMAT.md)
on Orchard's supervisor, in real time, and prints the observed trace as a JSON
array of strings, one element per line, as the OTP reference runner does.

  -check   also compare the trace with the scenario's "expect"; print the
           first difference on stderr and exit 1 if they differ
`

// runConformanceCommand runs `orchard conformance ...`: 0 on success, 1
// when the scenario could not be run (or differs under -check), 2 on a
// usage error.
func runConformanceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprint(stderr, conformanceUsage)
		return 2
	}
	fs := flag.NewFlagSet("orchard conformance run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, conformanceUsage) }
	check := fs.Bool("check", false, "compare the trace with the scenario's expect")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	file := fs.Arg(0)
	sc, err := conformance.Load(file)
	if err != nil {
		fmt.Fprintf(stderr, "orchard conformance: %v\n", err)
		return 1
	}
	trace, err := conformance.Run(ctx, sc, conformance.RealClock{})
	if err != nil {
		fmt.Fprintf(stderr, "orchard conformance: runner error in %s: %v\ntrace so far:\n", file, err)
		_ = conformance.WriteTrace(stderr, trace)
		return 1
	}
	if err := conformance.WriteTrace(stdout, trace); err != nil {
		fmt.Fprintf(stderr, "orchard conformance: %v\n", err)
		return 1
	}
	if *check {
		if sc.Expect == nil {
			fmt.Fprintf(stderr, "orchard conformance: %s has no expect\n", file)
			return 1
		}
		if d := conformance.Compare(sc.Expect, trace); d != "" {
			fmt.Fprintf(stderr, "orchard conformance: %s differs from OTP:\n%s", file, d)
			return 1
		}
	}
	return 0
}
