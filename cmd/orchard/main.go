// Command orchard is Orchard's command-line tool.
//
// Usage:
//
//	orchard version                                print the module version, VCS revision and Go version
//	orchard demo [flags]                           run a live supervision tree and crash it
//	orchard conformance run [-check] FILE          replay a supervisor conformance scenario
//	orchard deadletters list|retry|purge|verify    inspect or check a durable dead-letter queue
//	orchard mcp --http ADDR | --tcp ADDR | --stdio   serve MCP (tools as supervised tasks)
//
// The demo runs an application (a dynamic supervisor of agents, named in
// a registry, and a rest_for_one pipeline under one root supervisor), crashes
// one of its workers every --crash-every and redraws the tree each
// second. It stops by itself after --duration, or earlier on Ctrl-C
// (SIGINT) or SIGTERM; either way it stops the application in reverse
// start order and prints the sequence and a summary.
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

	"github.com/seed-fe72f376/orchard/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: orchard <command> [flags]

commands:
  version    print the Orchard module version, its VCS revision and the Go
             version
  demo       run a live supervision tree, crash a worker every second and
             watch the supervisors restart it
             flags: --duration 10s (0: until Ctrl-C), --crash-every 1s,
             --no-crash, --seed N (replay the crash choices), --quiet
             (draw a frame only when something changed), --http ADDR
             (/metrics, /healthz, /readyz; default 127.0.0.1:7600),
             --mcp ADDR (MCP at http://ADDR/mcp; default 127.0.0.1:7601),
             --data DIR (durable dead letters; default: a new temporary
             directory, removed at the end unless --keep-data);
             --nodes N: a cluster of N node processes on loopback instead,
             with a node killed and its children failed over
  conformance run [-check] FILE.json
             replay a supervisor conformance scenario, print its trace (JSON);
             flags may follow the file
  deadletters list|retry|purge|verify (--data DIR | --server URL) [flags]
             inspect, re-arm, purge or verify a durable dead-letter queue
  mcp --http ADDR | --tcp ADDR | --stdio [--conformance-fixtures] [--stateless]
             serve the Model Context Protocol: Streamable HTTP at
             http://ADDR/mcp, newline-delimited JSON-RPC over TCP, or one
             session on stdin/stdout; each session a process, each call a task
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
		if n, ok := clusterDemoNodes(rest); ok {
			return runClusterDemo(ctx, n, stdout, stderr)
		}
		return runDemoCommand(ctx, rest, stdout, stderr)
	case clusterNodeCommand:
		return runClusterNode(ctx, rest, stdout, stderr)
	case "conformance":
		return runConformanceCommand(ctx, rest, stdout, stderr)
	case "deadletters":
		return runDeadletters(rest, stdout, stderr)
	case "mcp":
		return runMCPCommand(ctx, rest, os.Stdin, stdout, stderr)
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
	var cfg demoConfig
	var noCrash, keepData bool
	fs.DurationVar(&cfg.Duration, "duration", defaultDuration, "how long the demo runs (0: until Ctrl-C)")
	fs.DurationVar(&cfg.CrashEvery, "crash-every", defaultCrashEvery, "time between two injected crashes")
	fs.BoolVar(&noCrash, "no-crash", false, "inject no crashes")
	fs.Int64Var(&cfg.Seed, "seed", 0, "seed of the crash choices (default: from the clock)")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "draw a frame only when something changed")
	fs.StringVar(&cfg.HTTP, "http", defaultHTTPAddr, "address of /metrics, /healthz and /readyz (empty: none)")
	fs.StringVar(&cfg.MCP, "mcp", defaultMCPAddr, "address of the MCP endpoint, http://ADDR/mcp (empty: none)")
	fs.StringVar(&cfg.DataDir, "data", "", "directory of the durable dead-letter queue, kept after the run (default: a new temporary directory; --data= keeps dead letters in memory)")
	fs.BoolVar(&keepData, "keep-data", false, "keep the temporary data directory and print its path")
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
	if cfg.Duration < 0 {
		fmt.Fprintln(stderr, "orchard demo: --duration must not be negative")
		return 2
	}
	if cfg.CrashEvery <= 0 && !noCrash {
		fmt.Fprintln(stderr, "orchard demo: --crash-every must be positive (or use --no-crash)")
		return 2
	}
	if noCrash {
		cfg.CrashEvery, cfg.SkipDeadLetter = 0, true
	}
	dataSet := false
	fs.Visit(func(f *flag.Flag) { dataSet = dataSet || f.Name == "data" })
	if dataSet && keepData {
		fmt.Fprintln(stderr, "orchard demo: --keep-data is for the temporary directory; a --data directory is always kept")
		return 2
	}
	if !dataSet {
		// A fresh directory per run, so that the counts are this run's.
		dir, err := os.MkdirTemp("", "orchard-demo-")
		if err != nil {
			fmt.Fprintf(stderr, "orchard demo: %v\n", err)
			return 1
		}
		cfg.DataDir, cfg.DataRemoved = dir, !keepData
		if !keepData {
			defer func() { _ = os.RemoveAll(dir) }()
		}
	}
	seeded := false
	fs.Visit(func(f *flag.Flag) { seeded = seeded || f.Name == "seed" })
	if !seeded {
		cfg.Seed = time.Now().UnixNano() % 1_000_000
	}
	cfg.Terminal = isTerminal(stdout)
	cfg.Width = terminalWidth(stdout, os.Getenv("COLUMNS"))
	if err := runDemo(ctx, stdout, cfg); err != nil {
		fmt.Fprintf(stderr, "orchard demo: %v\n", err)
		return app.ExitCode(err) // 1, or 2 when the shutdown timed out
	}
	return 0
}

// isTerminal reports whether w is a character device (a terminal), where
// the demo redraws its frame in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
