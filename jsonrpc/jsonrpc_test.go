package jsonrpc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/jsonrpc"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/task"
	"github.com/seed-fe72f376/orchard/transport"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

type fixture struct {
	node    *process.Node
	tasks   *task.Supervisor
	srv     *jsonrpc.Server
	started chan string // names of requests that started (slow, hang)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	node := otptest.NewNode(t)
	tasks, err := task.StartSupervisor(node)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tasks.Stop(5 * time.Second) })
	f := &fixture{node: node, tasks: tasks, srv: jsonrpc.NewServer(tasks, nil), started: make(chan string, 16)}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.srv.Handle("echo", jsonrpc.Method{Inline: true, Handler: func(_ context.Context, r *jsonrpc.Request) (any, error) {
		return r.Params, nil
	}}))
	must(f.srv.Handle("add", jsonrpc.Method{Handler: func(_ context.Context, r *jsonrpc.Request) (any, error) {
		var xs []int
		if err := json.Unmarshal(r.Params, &xs); err != nil {
			return nil, fmt.Errorf("%w: want an array of integers", jsonrpc.ErrInvalidParams)
		}
		sum := 0
		for _, x := range xs {
			sum += x
		}
		return sum, nil
	}}))
	must(f.srv.Handle("panic", jsonrpc.Method{Handler: func(context.Context, *jsonrpc.Request) (any, error) { panic("boom") }}))
	must(f.srv.Handle("panicInline", jsonrpc.Method{Inline: true, Handler: func(context.Context, *jsonrpc.Request) (any, error) { panic("boom") }}))
	must(f.srv.Handle("fail", jsonrpc.Method{Handler: func(context.Context, *jsonrpc.Request) (any, error) {
		return nil, &jsonrpc.Error{Code: 7, Message: "custom"}
	}}))
	must(f.srv.Handle("hang", jsonrpc.Method{Timeout: 100 * time.Millisecond, Handler: func(ctx context.Context, _ *jsonrpc.Request) (any, error) {
		f.started <- "hang"
		<-ctx.Done()
		return nil, ctx.Err()
	}}))
	return f
}

func TestHandleMessage(t *testing.T) {
	f := newFixture(t)
	cases := []struct{ name, in, want string }{
		{"request", `{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}`, `{"jsonrpc":"2.0","id":1,"result":{"a":1}}`},
		{"string id", `{"jsonrpc":"2.0","id":"x","method":"add","params":[1,2,3]}`, `{"jsonrpc":"2.0","id":"x","result":6}`},
		{"notification", `{"jsonrpc":"2.0","method":"echo","params":[1]}`, ``},
		{"parse error", `{"jsonrpc":"2.0","method"`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`},
		{"not an object", `42`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: not an object"}}`},
		{"wrong version", `{"jsonrpc":"1.0","id":1,"method":"echo"}`, `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"invalid request: \"jsonrpc\" must be \"2.0\""}}`},
		{"bad id", `{"jsonrpc":"2.0","id":{},"method":"echo"}`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: id must be a string, a number or null"}}`},
		{"bad params", `{"jsonrpc":"2.0","id":1,"method":"echo","params":3}`, `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"invalid request: \"params\" must be an object or an array"}}`},
		{"member names are case-sensitive", `{"jsonrpc":"2.0","id":1,"Method":"echo"}`, `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"invalid request: \"method\" must be a non-empty string"}}`},
		{"method not found", `{"jsonrpc":"2.0","id":2,"method":"nope"}`, `{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"method not found: nope"}}`},
		{"invalid params", `{"jsonrpc":"2.0","id":3,"method":"add","params":{"x":1}}`, `{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"jsonrpc: invalid params: want an array of integers"}}`},
		{"panic in task", `{"jsonrpc":"2.0","id":4,"method":"panic"}`, `{"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"internal error: handler panicked: boom"}}`},
		{"panic inline", `{"jsonrpc":"2.0","id":5,"method":"panicInline"}`, `{"jsonrpc":"2.0","id":5,"error":{"code":-32603,"message":"internal error: handler panicked: boom"}}`},
		{"custom error", `{"jsonrpc":"2.0","id":6,"method":"fail"}`, `{"jsonrpc":"2.0","id":6,"error":{"code":7,"message":"custom"}}`},
		{"timeout", `{"jsonrpc":"2.0","id":7,"method":"hang"}`, `{"jsonrpc":"2.0","id":7,"error":{"code":-32001,"message":"request timed out"}}`},
		{"empty batch", `[]`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"empty batch"}}`},
		{"batch of notifications", `[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"add","params":[1]}]`, ``},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]},1,{"jsonrpc":"2.0","method":"echo"}]`,
			`[{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: not an object"}},{"jsonrpc":"2.0","id":1,"result":2}]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got := string(f.srv.HandleMessage(ctx, []byte(tc.in)))
			if tc.name == "parse error" {
				got = normaliseParse(got)
			}
			if got != tc.want {
				t.Errorf("HandleMessage(%s)\n got  %s\n want %s", tc.in, got, tc.want)
			}
		})
	}
}

// normaliseParse drops the decoder's detail from a parse error message.
func normaliseParse(s string) string {
	var r struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(s), &r) != nil || r.Error.Code != jsonrpc.CodeParseError {
		return s
	}
	return `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`
}

func TestServeConnOverTCP(t *testing.T) {
	f := newFixture(t)
	l, err := transport.Listen(f.node, transport.Config{Addr: "127.0.0.1:0", Handler: f.srv.ServeConn, MaxMessageSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
	nc, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	read := func() map[string]any {
		t.Helper()
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := br.ReadBytes('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("reply %q: %v", line, err)
		}
		return m
	}
	code := func(m map[string]any) float64 {
		e, _ := m["error"].(map[string]any)
		c, _ := e["code"].(float64)
		return c
	}
	// A hanging request does not hold up the next ones; malformed,
	// truncated and oversized frames get typed errors and disturb nothing.
	fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":"h","method":"hang"}`+"\n")
	<-f.started
	fmt.Fprintf(nc, "{not json\n")
	if c := code(read()); c != jsonrpc.CodeParseError {
		t.Fatalf("malformed: code %v", c)
	}
	fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":1,"method":"echo","params":[`+"\n")
	if c := code(read()); c != jsonrpc.CodeParseError {
		t.Fatalf("truncated: code %v", c)
	}
	fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":2,"method":"echo","params":["%s"]}`+"\n", strings.Repeat("x", 1000))
	if c := code(read()); c != jsonrpc.CodeInvalidRequest {
		t.Fatalf("oversized: code %v", c)
	}
	fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":3,"method":"panic"}`+"\n")
	if c := code(read()); c != jsonrpc.CodeInternalError {
		t.Fatalf("panic: code %v", c)
	}
	fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":4,"method":"add","params":[20,22]}`+"\n")
	if m := read(); m["result"] != float64(42) {
		t.Fatalf("add: %v", m)
	}
	if m := read(); m["id"] != "h" || code(m) != jsonrpc.CodeTimeout {
		t.Fatalf("hang: %v", m)
	}
}

func TestDisconnectMidCallEndsTheTask(t *testing.T) {
	f := newFixture(t)
	cancelled := make(chan struct{})
	if err := f.srv.Handle("wait", jsonrpc.Method{Timeout: -1, Handler: func(ctx context.Context, _ *jsonrpc.Request) (any, error) {
		f.started <- "wait"
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	}}); err != nil {
		t.Fatal(err)
	}
	l, err := transport.Listen(f.node, transport.Config{Addr: "127.0.0.1:0", Handler: f.srv.ServeConn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Stop(5 * time.Second) })
	nc, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(nc, `{"jsonrpc":"2.0","id":1,"method":"wait"}`+"\n")
	<-f.started
	_ = nc.Close()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's context was not cancelled when its client left")
	}
	otptest.Eventually(t, 5*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := l.Connections(ctx)
		return err == nil && n == 0
	}, "connection process still alive")
}

func TestBadInput(t *testing.T) {
	var nilS *jsonrpc.Server
	s := jsonrpc.NewServer(nil, nil)
	h := func(context.Context, *jsonrpc.Request) (any, error) { return nil, nil }
	for name, call := range map[string]func() error{
		"nil server Handle": func() error { return nilS.Handle("x", jsonrpc.Method{Handler: h}) },
		"empty method":      func() error { return s.Handle("", jsonrpc.Method{Handler: h}) },
		"nil handler":       func() error { return s.Handle("x", jsonrpc.Method{}) },
		"nil ServeConn":     func() error { return s.ServeConn(context.Background(), nil) },
		"nil SetMaxBatch":   func() error { return nilS.SetMaxBatch(1) },
	} {
		if err := otptest.NoPanic(call); !errors.Is(err, jsonrpc.ErrInvalidArgument) {
			t.Errorf("%s = %v; want ErrInvalidArgument", name, err)
		}
	}
	if out := nilS.HandleMessage(context.Background(), []byte(`{}`)); !strings.Contains(string(out), "-32603") {
		t.Errorf("nil server HandleMessage = %s", out)
	}
	var _ io.Reader = strings.NewReader("")
}
