package agenttools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/agent"
	"github.com/seed-fe72f376/orchard/mcp"
	"github.com/seed-fe72f376/orchard/mcp/agenttools"
	"github.com/seed-fe72f376/orchard/process"
)

// ExampleNew serves the actions of an agent system as tools
// ("<agent>.<action>") and its agents' status as resources.
func ExampleNew() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type addIn struct {
		By int `json:"by"`
	}
	k, _ := agent.NewKind(agent.Spec[int]{Name: "counter", Actions: []agent.Action[int]{
		agent.NewAction("add", "adds to the counter", func(_ context.Context, n *int, in addIn) (int, []agent.Directive, error) {
			*n += in.By
			return *n, nil, nil
		}),
	}})
	sys, _ := agent.Start(node)
	defer sys.Stop(ctx)
	if _, err := sys.Spawn(ctx, agent.Config{ID: "counter", Kind: k}); err != nil {
		fmt.Println(err)
		return
	}
	a, _ := agenttools.New(sys)
	s, err := mcp.Start(ctx, node, mcp.Config{Tools: a, Resources: a.Resources(), ResourceTemplates: a.ResourceTemplates()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Stop(5 * time.Second)

	serverEnd, clientEnd := sdk.NewInMemoryTransports()
	if _, err := s.Serve(ctx, serverEnd); err != nil {
		fmt.Println(err)
		return
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "example", Version: "1"}, nil).Connect(ctx, clientEnd, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs.Close()
	tools, _ := cs.ListTools(ctx, nil)
	fmt.Println(tools.Tools[0].Name, "-", tools.Tools[0].Description)
	res, _ := cs.CallTool(ctx, &sdk.CallToolParams{Name: "counter.add", Arguments: map[string]any{"by": 42}})
	fmt.Println(res.Content[0].(*sdk.TextContent).Text)
	res, _ = cs.CallTool(ctx, &sdk.CallToolParams{Name: "counter.add", Arguments: map[string]any{"by": "x"}})
	fmt.Println(res.IsError)
	rr, _ := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: "orchard://agents/counter"})
	var st struct{ Status string }
	_ = json.Unmarshal([]byte(rr.Contents[0].Text), &st)
	fmt.Println(st.Status)
	// Output:
	// counter.add - adds to the counter (agent counter, action add)
	// 42
	// true
	// running
}
