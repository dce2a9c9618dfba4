package osproc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// blockPoll bounds the pause of a reader under the Block policy before
// it looks at the owner's mailbox again.
const (
	readBuffer   = 4 << 10
	blockPollMin = time.Millisecond
	blockPollMax = 50 * time.Millisecond
)

// read is the code of a reader process: it reads one of the command's
// pipes until end of file and sends each line or chunk to the owner.
func (r *runner) read(rp *process.Proc, f *os.File, stream Stream) error {
	defer f.Close()
	owner := r.c.Owner
	// The owner is looked up once: its mailbox length is then an atomic
	// read per message, with no lock of the owner's (Node.Info would
	// take its mailbox lock and copy its links on every line).
	target, err := rt.LookupOn(rp.Node(), owner)
	if err != nil {
		return nil // the owner is gone; its monitor stops the command
	}
	var pending uint64 // dropped since the last delivered message
	deliver := func(data []byte, partial bool) bool {
		wait := blockPollMin
		for target.MailboxLen() >= r.c.MaxPending {
			if !target.Alive() {
				return false // the owner is gone; its monitor stops the command
			}
			if r.c.Overflow == Drop {
				pending++
				r.dropped[stream].Add(1)
				return true
			}
			if !pause(rp, wait) {
				return false
			}
			wait = min(2*wait, blockPollMax)
		}
		msg := Output{PID: r.self.PID(), Stream: stream, Data: data, Partial: partial, Dropped: pending}
		if err := rp.Send(owner, msg); err != nil {
			// A bounded owner mailbox refused it: count it as dropped.
			pending++
			r.dropped[stream].Add(1)
			return true
		}
		pending = 0
		return true
	}
	if r.c.Mode == Chunks {
		buf := make([]byte, r.c.MaxLine)
		for {
			n, err := f.Read(buf)
			if n > 0 && !deliver(append([]byte(nil), buf[:n]...), false) {
				return nil
			}
			if err != nil {
				return readEnd(rp, err)
			}
		}
	}
	// A small read buffer; a line grows in acc up to MaxLine, so a
	// command that writes short lines costs little memory.
	br := bufio.NewReaderSize(f, min(r.c.MaxLine, readBuffer))
	var acc []byte
	// flushLong delivers MaxLine-byte Partial pieces while acc holds more
	// than MaxLine bytes (exactly MaxLine may still end with a newline).
	flushLong := func() bool {
		for len(acc) > r.c.MaxLine {
			if !deliver(bytes.Clone(acc[:r.c.MaxLine]), true) {
				return false
			}
			acc = acc[r.c.MaxLine:]
		}
		return true
	}
	for {
		piece, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			acc = append(acc, piece[:len(piece)-1]...)
			if !flushLong() || !deliver(acc, false) {
				return nil
			}
			acc = nil
		case errors.Is(err, bufio.ErrBufferFull):
			acc = append(acc, piece...)
			if !flushLong() {
				return nil
			}
		default:
			acc = append(acc, piece...)
			if !flushLong() || (len(acc) > 0 && !deliver(acc, true)) {
				return nil
			}
			return readEnd(rp, err)
		}
	}
}

// readEnd turns the error that ended a reader into its exit: end of
// file, a cut (deadline) or a closed file are normal ends.
func readEnd(rp *process.Proc, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) || rp.Context().Err() != nil {
		return nil
	}
	return err
}

// pause waits d under the Block policy before the reader looks at the
// owner's mailbox again (the reader's mailbox gets no messages; the wait
// ends early if the reader dies). The caller doubles d while the owner
// stays full, up to blockPollMax. It reports whether the reader is alive.
func pause(rp *process.Proc, d time.Duration) bool {
	_, _ = rp.ReceiveTimeout(d)
	return rp.Context().Err() == nil
}

// stdinWriter is the code of the process that owns the command's
// standard input: it performs Write and CloseStdin requests in order.
func stdinWriter(wp *process.Proc, in *os.File) error {
	defer in.Close()
	closed := false
	for {
		m, err := wp.Receive(wp.Context())
		if err != nil {
			return nil
		}
		if _, ok := m.(endInput); ok {
			return nil // the command ended: every request before this one is answered
		}
		req, ok := m.(*request)
		if !ok {
			continue
		}
		if closed {
			req.reply <- ErrNoStdin
			continue
		}
		switch req.kind {
		case reqClose:
			closed = true
			req.reply <- in.Close()
		case reqWrite:
			// The write ends when the caller's ctx does (deadline or
			// cancellation): a caller that gave up must not see its data
			// written later, behind its back.
			_ = in.SetWriteDeadline(req.until)
			cut := make(chan struct{})
			stop := context.AfterFunc(req.ctx, func() {
				_ = in.SetWriteDeadline(time.Now())
				close(cut)
			})
			_, err := in.Write(req.data)
			if !stop() {
				<-cut // the cut ran: its deadline must not reach the next write
			}
			req.reply <- err
		}
	}
}

// call sends a request to the command process pid and waits for the
// reply, the command's end, or ctx.
func call(ctx context.Context, op string, pid process.PID, req *request) error {
	if ctx == nil {
		return argerr.Nil(op, "ctx")
	}
	if pid.IsZero() {
		return argerr.New(op, "pid", "is the zero PID")
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		if errors.Is(err, process.ErrInvalidArgument) {
			return err
		}
		return ErrNotRunning
	}
	if err := t.Send(req); err != nil {
		return err
	}
	select {
	case err := <-req.reply:
		if err != nil && ctx.Err() != nil {
			return context.Cause(ctx) // the write was cut by ctx
		}
		return err
	case <-t.Done():
		// A command that answered and then ended (CloseStdin lets it
		// see the end of its input) leaves its answer here: select picks
		// at random among ready cases, so look before saying it ended.
		select {
		case err := <-req.reply:
			return err
		default:
			return ErrNotRunning
		}
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Write writes data to the standard input of the command whose process
// is pid, and returns once the command's pipe took it all (or with the
// write's error). It waits at most until ctx is done (deadline or
// cancellation), and the write stops there: what the command had not
// read by then is not written later (a part may have been). Writes from
// one caller are performed in order. pid must be a command's process:
// another process ignores the request, and the call waits until ctx is
// done. A command started without [Command.Stdin], or whose input was closed,
// gives ErrNoStdin; a command that ended gives ErrNotRunning.
func Write(ctx context.Context, pid process.PID, data []byte) error {
	const op = "osproc: Write"
	if ctx == nil {
		return argerr.Nil(op, "ctx")
	}
	until, _ := ctx.Deadline()
	req := &request{kind: reqWrite, ctx: ctx, data: append([]byte(nil), data...), until: until, reply: make(chan error, 1)}
	return call(ctx, op, pid, req)
}

// CloseStdin closes the command's standard input, so it reads end of
// file. Later writes give ErrNoStdin.
func CloseStdin(ctx context.Context, pid process.PID) error {
	return call(ctx, "osproc: CloseStdin", pid, &request{kind: reqClose, reply: make(chan error, 1)})
}

// OSPID returns the operating system's process ID of the command whose
// process is pid.
func OSPID(ctx context.Context, pid process.PID) (int, error) {
	const op = "osproc: OSPID"
	req := &request{kind: reqOSPID, reply: make(chan error, 1), ospid: make(chan int, 1)}
	if ctx == nil {
		return 0, argerr.Nil(op, "ctx")
	}
	if pid.IsZero() {
		return 0, argerr.New(op, "pid", "is the zero PID")
	}
	t, err := rt.Lookup(pid)
	if err != nil {
		if errors.Is(err, process.ErrInvalidArgument) {
			return 0, err
		}
		return 0, ErrNotRunning
	}
	if err := t.Send(req); err != nil {
		return 0, err
	}
	select {
	case n := <-req.ospid:
		return n, nil
	case <-t.Done():
		select { // answered before it ended (see call)
		case n := <-req.ospid:
			return n, nil
		default:
			return 0, ErrNotRunning
		}
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
}
