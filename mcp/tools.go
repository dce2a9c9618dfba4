package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/task"
)

type outcome struct {
	res json.RawMessage
	err error
}

// toolHandler returns the SDK handler of one tool. Each call runs as a
// task of the server's task supervisor, not linked to the session: its
// context has the call's deadline (ToolTimeout, or the request's own if
// sooner) and is cancelled when the client cancels the request or its
// session ends. A panic in the tool is answered as an error result for
// this call only, and then crashes the task so that its supervisor
// reports it with the stack. A tool that ignores its context is killed
// a grace period after the deadline.
func (s *Server) toolHandler(name string) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		tasks := s.tasks.Load()
		if tasks == nil {
			return errorResult(errNoTasks), nil
		}
		s.calls.Add(1)
		defer s.live.calling(req.Session)()
		args := req.Params.Arguments
		if len(bytes.TrimSpace(args)) == 0 || bytes.Equal(bytes.TrimSpace(args), []byte("null")) {
			args = json.RawMessage("{}")
		}
		progress := s.progress(ctx, req)
		done := make(chan outcome, 1)
		pid, err := task.Start(tasks, func(tctx context.Context) error {
			cctx, cancel := context.WithTimeout(tctx, s.cfg.ToolTimeout)
			defer cancel()
			defer context.AfterFunc(ctx, cancel)()
			if rctx, ok := ctx.Value(requestKey{}).(context.Context); ok {
				defer context.AfterFunc(rctx, cancel)()
			}
			defer func() {
				if v := recover(); v != nil {
					done <- outcome{err: fmt.Errorf("%w: %v", ErrToolPanicked, v)}
					panic(v)
				}
			}()
			res, err := s.cfg.Tools.CallTool(cctx, name, args, progress.report)
			done <- outcome{res: res, err: err}
			return nil
		})
		if err != nil {
			return errorResult(fmt.Errorf("mcp: cannot start the call: %w", err)), nil
		}
		return s.await(ctx, pid, done, progress), nil
	}
}

// await waits for the call's outcome, sending the tool's progress
// reports as they come and the pending ones before the result; if the
// request ends first (cancelled, or past its deadline) it gives the tool
// a grace period to notice, then kills its task.
func (s *Server) await(ctx context.Context, pid process.PID, done <-chan outcome, progress *progressQueue) *sdk.CallToolResult {
	deadline := time.NewTimer(s.cfg.ToolTimeout + toolGrace)
	defer deadline.Stop()
	var o outcome
	for waiting := true; waiting; {
		select {
		case o = <-done:
			progress.flush()
			waiting = false
		case <-progress.kick:
			progress.flush()
		case <-ctx.Done():
			grace := time.NewTimer(toolGrace)
			defer grace.Stop()
			select {
			case o = <-done:
			case <-grace.C:
				_ = s.node.Exit(pid, process.Kill)
				o.err = context.Cause(ctx)
			}
			waiting = false
		case <-deadline.C:
			_ = s.node.Exit(pid, process.Kill)
			o.err = ErrToolTimeout
			waiting = false
		}
	}
	return toResult(o)
}

func toResult(o outcome) *sdk.CallToolResult {
	if o.err != nil {
		if errors.Is(o.err, context.DeadlineExceeded) {
			o.err = fmt.Errorf("%w: %w", ErrToolTimeout, o.err)
		}
		return errorResult(o.err)
	}
	res := bytes.TrimSpace(o.res)
	if len(res) == 0 {
		res = json.RawMessage("null")
	}
	r := &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(res)}}}
	if res[0] == '{' {
		r.StructuredContent = json.RawMessage(res)
	}
	return r
}

// maxPendingProgress bounds the progress reports of one call waiting to
// be sent; past it, the newest report replaces the last one waiting.
const maxPendingProgress = 64

// progressTimeout bounds the sending of one progress notification; a
// call whose notification could not be sent sends no more.
const progressTimeout = 5 * time.Second

// progressQueue carries a call's progress reports from the tool (an
// agent's process, for agents as tools) to the request's handler, which
// sends them: a report never blocks the tool, however slow the client.
type progressQueue struct {
	send func(ctx context.Context, p *sdk.ProgressNotificationParams) error
	ctx  context.Context
	kick chan struct{} // nil without a progress token: never ready

	mu      sync.Mutex
	pending []*sdk.ProgressNotificationParams
	token   any
	failed  bool
}

// report queues one report, without blocking.
func (q *progressQueue) report(done, total float64, msg string) {
	if q.kick == nil {
		return
	}
	p := &sdk.ProgressNotificationParams{ProgressToken: q.token, Progress: done, Total: total, Message: msg}
	q.mu.Lock()
	switch {
	case q.failed:
	case len(q.pending) < maxPendingProgress:
		q.pending = append(q.pending, p)
	default:
		q.pending[len(q.pending)-1] = p
	}
	q.mu.Unlock()
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// flush sends the reports waiting, in order, each within
// progressTimeout; after a failure the call's reports are dropped.
func (q *progressQueue) flush() {
	if q.kick == nil {
		return
	}
	q.mu.Lock()
	ps := q.pending
	q.pending = nil
	q.mu.Unlock()
	for _, p := range ps {
		nctx, cancel := context.WithTimeout(q.ctx, progressTimeout)
		err := q.send(nctx, p)
		cancel()
		if err != nil {
			q.mu.Lock()
			q.failed, q.pending = true, nil
			q.mu.Unlock()
			return
		}
	}
}

// progress returns the call's progress queue: notifications to the
// session, tied to the token the client sent; reports are dropped
// without a token.
func (s *Server) progress(ctx context.Context, req *sdk.CallToolRequest) *progressQueue {
	token := req.Params.GetProgressToken()
	if token == nil || req.Session == nil {
		return &progressQueue{}
	}
	return &progressQueue{send: req.Session.NotifyProgress, ctx: ctx, token: token, kick: make(chan struct{}, 1)}
}
