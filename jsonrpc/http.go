package jsonrpc

import (
	"errors"
	"io"
	"net/http"
)

// DefaultMaxBody is the largest HTTP request body ServeHTTP reads.
const DefaultMaxBody = 4 << 20

// ServeHTTP serves one message per HTTP body: a POST whose body is a
// request, a notification or a batch gets the reply as application/json,
// or 204 No Content when there is none. Its handlers run as for
// [Server.HandleMessage], bounded by the request's context (a client that
// goes away cancels them). Other methods get 405; a body over
// DefaultMaxBody gets a -32600 reply with status 413.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "jsonrpc: POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, DefaultMaxBody))
	w.Header().Set("Content-Type", "application/json")
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write(mustEncode(&Response{Error: &Error{Code: CodeInvalidRequest, Message: "message too large"}}))
		return
	case err != nil:
		http.Error(w, "jsonrpc: reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	out := s.HandleMessage(r.Context(), body)
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	_, _ = w.Write(out)
}
