package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpCmd runs `orchard mcp ARGS` in-process until the test ends.
type mcpCmd struct {
	addr   string
	cancel context.CancelFunc
	done   chan int
}

// startMCPCmd runs runMCPCommand with args and waits for its banner.
func startMCPCmd(t *testing.T, args ...string) *mcpCmd {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	c := &mcpCmd{cancel: cancel, done: make(chan int, 1)}
	go func() {
		code := runMCPCommand(ctx, args, strings.NewReader(""), io.Discard, pw)
		_ = pw.Close()
		c.done <- code
	}()
	banner := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case banner <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-banner:
		m := regexp.MustCompile(` at (\S+) `).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("banner %q has no address", line)
		}
		c.addr = m[1]
	case code := <-c.done:
		t.Fatalf("orchard mcp %v exited %d before serving", args, code)
	case <-time.After(30 * time.Second):
		t.Fatal("orchard mcp printed no banner")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-c.done:
			if code != 0 {
				t.Errorf("orchard mcp %v exited %d after Ctrl-C", args, code)
			}
		case <-time.After(30 * time.Second):
			t.Error("orchard mcp did not stop")
		}
	})
	return c
}

func TestMCPUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--http", "a", "--stdio"}, {"--tcp", "x", "extra"}} {
		if code := runMCPCommand(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code != 2 {
			t.Errorf("orchard mcp %v = %d; want 2", args, code)
		}
	}
}

// goClientCheck lists the tools, calls add and an agent's action, and
// reads an agent's status with the Go SDK client.
func goClientCheck(t *testing.T, tr sdk.Transport) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "cmd-test", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 8 {
		t.Fatalf("ListTools = %v, %v; want the 5 demo tools and 3 agent actions", tools, err)
	}
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "add", Arguments: map[string]any{"a": 1, "b": 2}})
	if err != nil || res.IsError || res.Content[0].(*sdk.TextContent).Text != `{"sum":3}` {
		t.Fatalf("add = %v, %v", res, err)
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "ledger.work", Arguments: map[string]any{"id": "j1", "cost": 5}})
	if err != nil || res.IsError || res.Content[0].(*sdk.TextContent).Text != `5` {
		t.Fatalf("ledger.work = %v, %v", res, err)
	}
	res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "ledger.work", Arguments: map[string]any{"cost": "x"}})
	if err != nil || !res.IsError {
		t.Fatalf("ledger.work with bad input = %v, %v; want an error result", res, err)
	}
	params := &sdk.CallToolParams{Name: "batch.run", Arguments: map[string]any{"steps": 2, "ms": 1}}
	params.SetProgressToken("b")
	res, err = cs.CallTool(ctx, params)
	if err != nil || res.IsError || res.Content[0].(*sdk.TextContent).Text != `{"steps":2,"total":2}` {
		t.Fatalf("batch.run = %v, %v", res, err)
	}
	rr, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "orchard://agents/ledger"})
	if err != nil || len(rr.Contents) != 1 || !strings.Contains(rr.Contents[0].Text, `"status":"running"`) {
		t.Fatalf("orchard://agents/ledger = %v, %v", rr, err)
	}
}

func TestMCPCommandHTTPAndTCP(t *testing.T) {
	h := startMCPCmd(t, "--http", "127.0.0.1:0")
	goClientCheck(t, &sdk.StreamableClientTransport{Endpoint: h.addr, MaxRetries: -1})
	tc := startMCPCmd(t, "--tcp", "127.0.0.1:0")
	nc, err := net.DialTimeout("tcp", tc.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	goClientCheck(t, &sdk.IOTransport{Reader: nc, Writer: nc})
}

func TestMCPCommandStdio(t *testing.T) {
	sr, cw := io.Pipe()
	cr, sw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runMCPCommand(context.Background(), []string{"--stdio"}, sr, sw, io.Discard)
		_ = sw.Close()
	}()
	goClientCheck(t, &sdk.IOTransport{Reader: cr, Writer: cw})
	// goClientCheck closed the client's end: the session ends, and so
	// does the command.
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("orchard mcp --stdio exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("orchard mcp --stdio did not end when its client left")
	}
}

// nodeDir is the folder of the Node test clients; node22 is its Node 22
// (the npm "node" package); both are there after `npm ci` in it.
func nodeTools(t *testing.T) (dir, node string) {
	t.Helper()
	dir, err := filepath.Abs("../../mcp/testdata/node")
	if err != nil {
		t.Fatal(err)
	}
	node = filepath.Join(dir, "node_modules", "node", "bin", "node")
	for _, p := range []string{node, filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk"), filepath.Join(dir, "node_modules", "@modelcontextprotocol", "conformance")} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("Node test clients not installed (run `npm ci` in %s): %v", dir, err)
		}
	}
	return dir, node
}

// TestMCPConformanceSuite runs the official conformance suite's server
// scenarios against `orchard mcp --http --conformance-fixtures`: every
// scenario of the active suite must pass.
func TestMCPConformanceSuite(t *testing.T) {
	dir, node := nodeTools(t)
	srv := startMCPCmd(t, "--http", "127.0.0.1:0", "--conformance-fixtures")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"),
		"server", "--url", srv.addr)
	cmd.Dir = t.TempDir() // the suite writes its results there
	out, err := cmd.CombinedOutput()
	text := string(out)
	m := regexp.MustCompile(`Total: (\d+) passed, (\d+) failed`).FindStringSubmatch(text)
	if err != nil || m == nil || m[2] != "0" || m[1] == "0" {
		t.Fatalf("conformance server: %v\n%s", err, tail(text, 4000))
	}
	t.Logf("conformance suite: %s passed, %s failed", m[1], m[2])
}

// TestMCPTypeScriptClient drives the server with the official TypeScript
// SDK client over Streamable HTTP and over stdio (the orchard binary).
func TestMCPTypeScriptClient(t *testing.T) {
	dir, node := nodeTools(t)
	bin := filepath.Join(t.TempDir(), "orchard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := startMCPCmd(t, "--http", "127.0.0.1:0")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"http", []string{"http", srv.addr}},
		{"stdio", []string{"stdio", bin, "mcp", "--stdio"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(dir, "client.mjs")}, tc.args...)...)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("client.mjs: %v\n%s", err, out)
			}
			var got struct {
				Tools         []string
				Add           string
				PanicsIsError bool
				Slow          string
				Progress      []float64
				Agent         string
				AgentProgress []float64
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("client output %q: %v", out, err)
			}
			if strings.Join(got.Tools, ",") != "add,batch.run,echo,ledger.book,ledger.work,panics,sleepy,slow" || got.Add != `{"sum":42}` ||
				got.Agent != `{"steps":2,"total":2}` || len(got.AgentProgress) != 2 ||
				!got.PanicsIsError || got.Slow != `{"steps":3}` || len(got.Progress) != 3 {
				t.Fatalf("TypeScript client saw %+v", got)
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
