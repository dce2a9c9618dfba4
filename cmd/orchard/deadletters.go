package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/deadletter/jsstore"
	"github.com/seed-fe72f376/orchard/telemetry"
)

const deadlettersUsage = `usage: orchard deadletters list|retry|purge|verify (--data DIR | --server URL) [flags]

Operates on a durable dead-letter queue (package deadletter).

  list    print the entries, oldest first failure first, as a table or --json
  retry   re-arm the entries: reset their automatic retry count and make them
          due now, so the application's retrier re-delivers them at its next
          tick (the CLI does not deliver: the destinations live in the
          application); entries re-armed while the application is stopped are
          retried when it starts its retrier
  purge   delete the entries; needs a filter or --all
  verify  check that the store lost no data while it was closed (a truncated
          or missing file): prints "ok: N entries, no data lost" and exits 0,
          or says what was lost and exits 1 (also for corrupt records); the
          loss is reported at every open until --ack acknowledges it

store (one of):
  --data DIR      the queue's data directory, which must exist; the
                  application must not be running (the directory is locked
                  while it is)
  --server URL    the NATS server of a running application (when it listens)
  --bucket NAME   the key-value bucket (default ORCHARD_DEADLETTERS)

filters (ANDed):
  --id ID         this entry (repeatable)
  --dest D        destination name or printed form
  --reason S      reason contains S
  --limit N       list at most N entries (default 0: all)
  --json          list as JSON
  --all           purge or retry every entry
  --ack           verify: acknowledge a reported loss (forget it; nothing
                  comes back), then verify again
`

// deadlettersOpts is the parsed command line of `orchard deadletters`.
type deadlettersOpts struct {
	data, server, bucket string
	filter               deadletter.Filter
	limit                int
	json, all, ack       bool
}

// runDeadletters runs `orchard deadletters ...`: 0 on success, 1 when the
// store could not be opened or changed, 2 on a usage error.
func runDeadletters(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, deadlettersUsage)
		return 2
	}
	sub := args[0]
	if sub == "help" || sub == "-h" || sub == "--help" {
		fmt.Fprint(stdout, deadlettersUsage)
		return 0
	}
	if sub != "list" && sub != "retry" && sub != "purge" && sub != "verify" {
		fmt.Fprintf(stderr, "orchard deadletters: unknown command %q\n\n%s", sub, deadlettersUsage)
		return 2
	}
	o, code := parseDeadlettersFlags(sub, args[1:], stderr)
	if code >= 0 {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, closeStore, err := openDeadletterStore(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "orchard deadletters: %v\n", err)
		return 1
	}
	defer closeStore()
	if sub == "verify" {
		return runVerify(ctx, store, o, stdout, stderr)
	}
	warnDamage(ctx, store, stderr)
	if err := runDeadlettersSub(ctx, sub, store, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "orchard deadletters %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// parseDeadlettersFlags returns the options, and -1 or the exit code to
// return at once.
func parseDeadlettersFlags(sub string, args []string, stderr io.Writer) (deadlettersOpts, int) {
	var o deadlettersOpts
	fs := flag.NewFlagSet("orchard deadletters "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, deadlettersUsage) }
	fs.StringVar(&o.data, "data", "", "data directory")
	fs.StringVar(&o.server, "server", "", "NATS server URL of a running application")
	fs.StringVar(&o.bucket, "bucket", "", "key-value bucket")
	fs.Func("id", "entry id (repeatable)", func(s string) error { o.filter.IDs = append(o.filter.IDs, s); return nil })
	fs.StringVar(&o.filter.Dest, "dest", "", "destination")
	fs.StringVar(&o.filter.Reason, "reason", "", "reason substring")
	fs.IntVar(&o.limit, "limit", 0, "at most N entries")
	fs.BoolVar(&o.json, "json", false, "JSON output")
	fs.BoolVar(&o.all, "all", false, "every entry")
	fs.BoolVar(&o.ack, "ack", false, "acknowledge a reported loss (verify)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, 0
		}
		return o, 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "orchard deadletters %s: unexpected argument %q\n", sub, fs.Arg(0))
	case (o.data == "") == (o.server == ""):
		fmt.Fprintf(stderr, "orchard deadletters %s: give exactly one of --data or --server\n", sub)
	case o.limit < 0:
		fmt.Fprintf(stderr, "orchard deadletters %s: negative --limit\n", sub)
	case o.ack && sub != "verify":
		fmt.Fprintf(stderr, "orchard deadletters %s: --ack is for verify\n", sub)
	case sub == "verify" && (!o.filter.IsZero() || o.all || o.limit != 0 || o.json):
		fmt.Fprintln(stderr, "orchard deadletters verify: takes no filter, --limit, --json or --all")
	case sub == "verify":
		return o, -1
	case sub != "list" && o.filter.IsZero() && !o.all:
		fmt.Fprintf(stderr, "orchard deadletters %s: give a filter (--id, --dest, --reason) or --all\n", sub)
	case sub != "list" && !o.filter.IsZero() && o.all:
		fmt.Fprintf(stderr, "orchard deadletters %s: --all excludes filters\n", sub)
	default:
		return o, -1
	}
	return o, 2
}

// openDeadletterStore opens the store named by --data or --server and
// returns the function that closes it.
//
// A --data directory must exist: opening a store creates one, and a
// mistyped path would otherwise show an empty queue (and leave a new
// directory behind). The store's own report of lost data is left to the
// commands (warnDamage, runVerify), so it is not logged here.
func openDeadletterStore(ctx context.Context, o deadlettersOpts) (deadletter.Store, func(), error) {
	if o.data != "" {
		fi, err := os.Stat(o.data)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, fmt.Errorf("data directory %s does not exist", o.data)
		case err != nil:
			return nil, nil, fmt.Errorf("data directory: %w", err)
		case !fi.IsDir():
			return nil, nil, fmt.Errorf("data directory %s is not a directory", o.data)
		}
		s, err := jsstore.OpenDir(ctx, o.data, jsstore.DirConfig{Bucket: o.bucket,
			Logger: slog.New(slog.DiscardHandler), Telemetry: telemetry.New()})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { _ = s.Close() }, nil
	}
	nc, err := nats.Connect(o.server, nats.Name("orchard-deadletters"), nats.Timeout(10*time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("connect %s: %w", o.server, err)
	}
	js, err := jetstream.New(nc)
	if err == nil {
		var s *jsstore.Store
		if s, err = jsstore.OpenJetStream(ctx, js, o.bucket); err == nil {
			return s, func() { _ = s.Close(); nc.Close() }, nil
		}
	}
	nc.Close()
	return nil, nil, err
}

func runDeadlettersSub(ctx context.Context, sub string, store deadletter.Store, o deadlettersOpts, stdout, stderr io.Writer) error {
	switch sub {
	case "list":
		entries, err := deadletter.List(ctx, store, o.filter, o.limit)
		var corrupt *deadletter.CorruptError
		if errors.As(err, &corrupt) { // list the good entries, warn about the others
			for _, r := range corrupt.Records {
				fmt.Fprintf(stderr, "warning: skipped corrupt record %s: %v\n", r.Key, r.Err)
			}
			err = nil
		}
		if err != nil {
			return err
		}
		if o.json {
			return writeEntriesJSON(stdout, entries)
		}
		return writeEntriesTable(stdout, entries)
	case "retry":
		n, err := deadletter.Rearm(ctx, store, o.filter, time.Now())
		them := "them"
		if n == 1 {
			them = "it"
		}
		fmt.Fprintf(stdout, "re-armed %s: the application's retrier re-delivers %s at its next tick\n",
			plural(n, "entry", "entries"), them)
		return err
	default: // purge
		n, err := deadletter.Purge(ctx, store, o.filter, nil)
		fmt.Fprintf(stdout, "purged %s\n", plural(n, "entry", "entries"))
		return err
	}
}

// verifier is a store that can say whether it lost data: the JetStream
// store of --data or --server.
type verifier interface {
	Verify(ctx context.Context) error
	AcknowledgeDamage() error
	Unclean() bool
}

// warnDamage prints a warning on stderr when the store lost data, before
// a command that works on what is left.
func warnDamage(ctx context.Context, store deadletter.Store, stderr io.Writer) {
	v, ok := store.(verifier)
	if !ok {
		return
	}
	var dmg *jsstore.DamagedError
	if errors.As(v.Verify(ctx), &dmg) {
		fmt.Fprintf(stderr, "warning: %s\nwarning: the store holds only what survived; see `orchard deadletters verify`\n", damageText(dmg))
	}
}

// damageText says what a damaged store lost, in a sentence.
func damageText(d *jsstore.DamagedError) string {
	size := plural(int(d.Msgs), "record", "records")
	if d.Bytes > 0 {
		size += fmt.Sprintf(" (%d bytes)", d.Bytes)
	}
	return fmt.Sprintf("data lost: bucket %s lost %s while it was closed (found by %s at %s)",
		d.Bucket, size, d.How, d.Detected.UTC().Format(time.RFC3339))
}

// runVerify runs `orchard deadletters verify`: 0 when the store lost no
// data and every record decodes, 1 otherwise.
func runVerify(ctx context.Context, store deadletter.Store, o deadlettersOpts, stdout, stderr io.Writer) int {
	v, ok := store.(verifier)
	if !ok {
		fmt.Fprintln(stderr, "orchard deadletters verify: this store cannot be verified")
		return 1
	}
	if o.ack {
		if err := v.AcknowledgeDamage(); err != nil {
			fmt.Fprintf(stderr, "orchard deadletters verify: %v\n", err)
			return 1
		}
	}
	code := 0
	var dmg *jsstore.DamagedError
	switch err := v.Verify(ctx); {
	case errors.As(err, &dmg):
		fmt.Fprintf(stderr, "orchard deadletters verify: %s\n", damageText(dmg))
		fmt.Fprintln(stderr, "  the surviving entries are listed by `orchard deadletters list`; restore the directory")
		fmt.Fprintln(stderr, "  from a backup if they matter, or acknowledge the loss with `orchard deadletters verify --ack`")
		code = 1
	case err != nil:
		fmt.Fprintf(stderr, "orchard deadletters verify: %v\n", err)
		return 1
	}
	entries, err := deadletter.List(ctx, store, deadletter.Filter{}, 0)
	var corrupt *deadletter.CorruptError
	switch {
	case errors.As(err, &corrupt):
		fmt.Fprintf(stderr, "orchard deadletters verify: %s cannot be decoded (first %s: %v)\n",
			plural(len(corrupt.Records), "record", "records"), corrupt.Records[0].Key, corrupt.Records[0].Err)
		code = 1
	case err != nil:
		fmt.Fprintf(stderr, "orchard deadletters verify: %v\n", err)
		return 1
	}
	if code == 0 {
		fmt.Fprintf(stdout, "ok: %s, no data lost\n", plural(len(entries), "entry", "entries"))
		if v.Unclean() {
			fmt.Fprintln(stderr, "note: the store was not closed cleanly the last time (a crash): only records nats-server found damaged would have been reported")
		}
	} else {
		fmt.Fprintf(stdout, "damaged: %s left\n", plural(len(entries), "entry", "entries"))
	}
	return code
}

func writeEntriesJSON(w io.Writer, entries []deadletter.Entry) error {
	if entries == nil {
		entries = []deadletter.Entry{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(entries)
}

func writeEntriesTable(w io.Writer, entries []deadletter.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDEST\tREASON\tATTEMPTS\tFIRST FAILURE\tLAST ATTEMPT\tREPLAYABLE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.Dest.Printed, oneLine(e.Reason, 48),
			e.Attempts, e.FirstFailure.UTC().Format(time.RFC3339), e.LastAttempt.UTC().Format(time.RFC3339),
			strconv.FormatBool(e.Replayable))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, plural(len(entries), "entry", "entries"))
	return err
}

// oneLine keeps a table cell on one line and at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
