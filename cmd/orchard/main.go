// Command orchard is Orchard's command-line tool.
//
// Usage:
//
//	orchard version                          print the module and Go versions
//	orchard demo [--duration 5s] [--quiet]   run a live node and narrate it
//	orchard conformance run [-check] FILE    replay a supervisor conformance scenario
//
// The demo stops by itself after --duration, or earlier on Ctrl-C
// (SIGINT) or SIGTERM; either way it stops its node with a bounded
// context and prints a summary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: orchard <command> [flags]

commands:
  version    print the Orchard module version and the Go version
  demo       run a live node with a few GenServers and narrate it
             flags: --duration 5s (how long to run), --quiet (summary only)
  conformance run [-check] FILE.json
             replay a supervisor conformance scenario, print its trace (JSON)
  help       print this text
`

// run executes one command line and returns the process exit code: 0 on
// success, 1 when the command failed, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "version", "--version", "-version":
		fmt.Fprint(stdout, versionText())
		return 0
	case "demo":
		return runDemoCommand(ctx, rest, stdout, stderr)
	case "conformance":
		return runConformanceCommand(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "orchard: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func runDemoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("orchard demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := demoConfig{Tick: defaultTick}
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long the demo runs")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "print only the summary")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "orchard demo: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if cfg.Duration <= 0 {
		fmt.Fprintln(stderr, "orchard demo: --duration must be positive")
		return 2
	}
	if err := runDemo(ctx, stdout, cfg); err != nil {
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return 1
	}
	return 0
}
