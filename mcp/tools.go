package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
			res, err := s.cfg.Tools.CallTool(cctx, name, args, progress)
			done <- outcome{res: res, err: err}
			return nil
		})
		if err != nil {
			return errorResult(fmt.Errorf("mcp: cannot start the call: %w", err)), nil
		}
		return s.await(ctx, pid, done), nil
	}
}

// await waits for the call's outcome; if the request ends first
// (cancelled, or past its deadline) it gives the tool a grace period to
// notice, then kills its task.
func (s *Server) await(ctx context.Context, pid process.PID, done <-chan outcome) *sdk.CallToolResult {
	deadline := time.NewTimer(s.cfg.ToolTimeout + toolGrace)
	defer deadline.Stop()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		grace := time.NewTimer(toolGrace)
		defer grace.Stop()
		select {
		case o = <-done:
		case <-grace.C:
			_ = s.node.Exit(pid, process.Kill)
			o.err = context.Cause(ctx)
		}
	case <-deadline.C:
		_ = s.node.Exit(pid, process.Kill)
		o.err = ErrToolTimeout
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

// progress returns the call's progress reporter: notifications to the
// session, tied to the token the client sent; a no-op without a token.
func (s *Server) progress(ctx context.Context, req *sdk.CallToolRequest) Progress {
	token := req.Params.GetProgressToken()
	if token == nil || req.Session == nil {
		return func(float64, float64, string) {}
	}
	ss := req.Session
	return func(done, total float64, msg string) {
		nctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = ss.NotifyProgress(nctx, &sdk.ProgressNotificationParams{ProgressToken: token, Progress: done, Total: total, Message: msg})
	}
}
