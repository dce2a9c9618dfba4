package observer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// actionTimeout bounds one action.
const actionTimeout = 5 * time.Second

// action wraps an action: 403 unless the token is set and carried in
// the TokenHeader, then the action's result as JSON.
func (h *Handler) action(fn func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if h.cfg.Token == "" {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "actions are disabled: the observer has no token"})
			return
		}
		if !h.authorized(r) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "missing or wrong " + TokenHeader})
			return
		}
		res, err := fn(r)
		h.invalidate() // the page asks again at once: show the action's effect
		var br *badRequest
		switch {
		case errors.Is(err, errNotFound):
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		case errors.As(err, &br), errors.Is(err, errNoProcess), errors.Is(err, errNoQueue):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		case err != nil:
			writeJSON(w, http.StatusConflict, map[string]string{"error": clip(err.Error())})
		default:
			writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": res})
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) livePID(r *http.Request, key string) (process.PID, error) {
	s := r.URL.Query().Get(key)
	if s == "" {
		return process.PID{}, &badRequest{key + " is missing"}
	}
	pid, ok := h.pid(s)
	if !ok {
		return process.PID{}, errNoProcess
	}
	return pid, nil
}

// kill sends the untrappable Kill to ?pid.
func (h *Handler) kill(r *http.Request) (any, error) {
	pid, err := h.livePID(r, "pid")
	if err != nil {
		return nil, err
	}
	return pid.String(), h.node.Exit(pid, process.Kill)
}

// restartChild terminates child ?id of supervisor ?sup and starts it
// again (OTP's terminate_child then restart_child), returning the new PID.
func (h *Handler) restartChild(r *http.Request) (any, error) {
	sup, id, err := h.supChild(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	if err := supervisor.TerminateChild(ctx, sup, id); err != nil {
		return nil, err
	}
	pid, err := supervisor.RestartChild(ctx, sup, id)
	if err != nil {
		return nil, err
	}
	return pid.String(), nil
}

// terminateChild stops child ?id of supervisor ?sup, keeping its spec.
func (h *Handler) terminateChild(r *http.Request) (any, error) {
	sup, id, err := h.supChild(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	return id, supervisor.TerminateChild(ctx, sup, id)
}

func (h *Handler) supChild(r *http.Request) (process.PID, string, error) {
	sup, err := h.livePID(r, "sup")
	if err != nil {
		return process.PID{}, "", err
	}
	id := r.URL.Query().Get("id")
	if id == "" {
		return process.PID{}, "", &badRequest{"id is missing"}
	}
	return sup, id, nil
}

// letterFilter selects ?id, or every letter when ?all=1.
func (h *Handler) letterFilter(r *http.Request) (*deadletter.Queue, deadletter.Filter, error) {
	q := h.cfg.DeadLetters
	if q == nil {
		return nil, deadletter.Filter{}, errNoQueue
	}
	v := r.URL.Query()
	if id := v.Get("id"); id != "" {
		return q, deadletter.Filter{IDs: []string{id}}, nil
	}
	if v.Get("all") == "1" {
		return q, deadletter.Filter{}, nil
	}
	return nil, deadletter.Filter{}, &badRequest{"id or all=1 is missing"}
}

// retryLetters re-delivers the selected dead letters.
func (h *Handler) retryLetters(r *http.Request) (any, error) {
	q, f, err := h.letterFilter(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	res, err := q.Retry(ctx, f)
	out := map[string]int{"delivered": len(res.Delivered), "failed": len(res.Failed)}
	if err != nil && len(res.Delivered) == 0 {
		return out, err
	}
	return out, nil
}

// purgeLetters removes the selected dead letters.
func (h *Handler) purgeLetters(r *http.Request) (any, error) {
	q, f, err := h.letterFilter(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), actionTimeout)
	defer cancel()
	n, err := q.Purge(ctx, f)
	return map[string]int{"purged": n}, err
}

// sendTest sends the text ?msg (a string message) to ?pid.
func (h *Handler) sendTest(r *http.Request) (any, error) {
	pid, err := h.livePID(r, "pid")
	if err != nil {
		return nil, err
	}
	msg := r.URL.Query().Get("msg")
	if len(msg) > 4096 {
		return nil, &badRequest{"msg is longer than 4096 bytes"}
	}
	return pid.String(), h.node.Send(pid, msg)
}

// serveConfig tells the page what the server offers.
func (h *Handler) serveConfig(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	writeJSON(w, http.StatusOK, map[string]any{
		"actions": h.cfg.Token != "", "interval_ms": h.cfg.Interval.Milliseconds(),
		"page_size": h.cfg.PageSize, "messages": h.cfg.ShowMessages, "state": h.cfg.FormatState != nil,
		"dead_letters": h.cfg.DeadLetters != nil,
	})
}

// invalidate drops the shared table and frame, so the next update is
// built afresh.
func (h *Handler) invalidate() {
	h.frames.mu.Lock()
	h.frames.cur = nil
	h.frames.mu.Unlock()
	h.snap.mu.Lock()
	h.snap.cur = nil
	h.snap.mu.Unlock()
}
