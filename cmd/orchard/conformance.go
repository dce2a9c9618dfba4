package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/seed-fe72f376/orchard/conformance"
)

const conformanceUsage = `usage: orchard conformance run [-check] FILE.json [-check]

Replays one supervisor conformance scenario (see conformance/testdata/FORMAT.md)
on Orchard's supervisor, in real time, and prints the observed trace as a JSON
array of strings, one element per line, as the OTP reference runner does.
Flags may come before or after the file.

  -check   also compare the trace with the scenario's "expect": print the
           first difference on stderr and exit 1 if they differ, or a
           one-line confirmation on stderr if they match (stdout keeps
           only the trace)
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
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
	}
	file := files[0]
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
		fmt.Fprintf(stderr, "ok: %s matches the OTP trace (%s)\n", file, plural(len(trace), "event", "events"))
	}
	return 0
}

// parseInterspersed parses fs's flags wherever they appear among args
// (the flag package stops at the first argument that is not a flag) and
// returns the other arguments in order. Everything after "--" is an
// argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}
