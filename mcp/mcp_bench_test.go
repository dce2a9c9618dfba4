package mcp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/otptest"
)

// benchCalls makes b.N tools/call requests of echo over one Streamable HTTP
// session to handler.
func benchCalls(b *testing.B, handler http.Handler) {
	hs := httptest.NewServer(handler)
	defer hs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, nil).
		Connect(ctx, &sdk.StreamableClientTransport{Endpoint: hs.URL, MaxRetries: -1, DisableStandaloneSSE: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	params := &sdk.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hello"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := cs.CallTool(ctx, params)
		if err != nil || res.IsError {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkToolsCallHTTP compares tools/call over Streamable HTTP on
// Orchard's supervised server (a session process, a task per call) with
// the Go SDK's server alone calling the same tool source directly.
func BenchmarkToolsCallHTTP(b *testing.B) {
	b.Run("server=orchard", func(b *testing.B) {
		node := otptest.NewNode(b)
		s, err := mcp.Start(context.Background(), node, mcp.Config{Tools: mcp.DemoTools{}})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Stop(10 * time.Second)
		benchCalls(b, s.HTTPHandler(false))
	})
	b.Run("server=sdk", func(b *testing.B) {
		src := mcp.DemoTools{}
		srv := sdk.NewServer(&sdk.Implementation{Name: "sdk", Version: "1"}, nil)
		srv.AddTool(&sdk.Tool{Name: "echo", InputSchema: map[string]any{"type": "object"}},
			func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
				res, err := src.CallTool(ctx, "echo", req.Params.Arguments, func(float64, float64, string) {})
				if err != nil {
					return nil, err
				}
				return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(res)}}, StructuredContent: json.RawMessage(res)}, nil
			})
		benchCalls(b, sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv }, nil))
	})
}
