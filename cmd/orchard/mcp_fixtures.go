//lint:file-ignore SA1019 the conformance suite's scenarios call logging and sampling, deprecated by protocol 2026-07-28 but part of 2025-11-25, which the server serves too.

package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed-fe72f376/orchard/mcp"
)

// pngPixel is a 1x1 PNG, the image of the image fixtures.
const pngPixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

// wavSilence is a tiny WAV file (a header and two silent samples), the
// audio of the audio fixture.
const wavSilence = "UklGRigAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQQAAAAAAAAA"

// addConformanceFixtures adds to cfg the tools, resources, prompts,
// completion and subscription handlers that the server scenarios of the
// MCP conformance suite (@modelcontextprotocol/conformance) call. They run
// under the same supervision as every other tool: each call a task.
func addConformanceFixtures(cfg *mcp.Config) {
	cfg.Options = &sdk.ServerOptions{
		Capabilities: &sdk.ServerCapabilities{
			Tools:       &sdk.ToolCapabilities{ListChanged: true},
			Resources:   &sdk.ResourceCapabilities{Subscribe: true, ListChanged: true},
			Prompts:     &sdk.PromptCapabilities{ListChanged: true},
			Logging:     &sdk.LoggingCapabilities{},
			Completions: &sdk.CompletionCapabilities{},
		},
		CompletionHandler: func(context.Context, *sdk.CompleteRequest) (*sdk.CompleteResult, error) {
			return &sdk.CompleteResult{Completion: sdk.CompletionResultDetails{Values: []string{}}}, nil
		},
		SubscribeHandler:   func(context.Context, *sdk.SubscribeRequest) error { return nil },
		UnsubscribeHandler: func(context.Context, *sdk.UnsubscribeRequest) error { return nil },
	}
	prev := cfg.Setup
	cfg.Setup = func(s *sdk.Server) {
		if prev != nil {
			prev(s)
		}
		fixtureTools(s)
		fixtureResources(s)
		fixturePrompts(s)
	}
}

func object(props string, required ...string) map[string]any {
	m := map[string]any{"type": "object"}
	if props != "" {
		var p map[string]any
		_ = json.Unmarshal([]byte(props), &p)
		m["properties"] = p
	}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

func textResult(s string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: s}}}
}

func decode(s string) []byte { b, _ := base64.StdEncoding.DecodeString(s); return b }

func fixtureTools(s *sdk.Server) {
	tool := func(name, desc string, schema map[string]any, h sdk.ToolHandler) {
		s.AddTool(&sdk.Tool{Name: name, Description: desc, InputSchema: schema}, h)
	}
	tool("test_simple_text", "Returns simple text.", object(""), func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return textResult("This is a simple text response for testing."), nil
	})
	tool("test_image_content", "Returns an image.", object(""), func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.ImageContent{Data: decode(pngPixel), MIMEType: "image/png"}}}, nil
	})
	tool("test_audio_content", "Returns audio.", object(""), func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.AudioContent{Data: decode(wavSilence), MIMEType: "audio/wav"}}}, nil
	})
	embedded := &sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "test://embedded-resource", MIMEType: "text/plain", Text: "This is an embedded resource content."}}
	tool("test_embedded_resource", "Returns an embedded resource.", object(""), func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{embedded}}, nil
	})
	tool("test_multiple_content_types", "Returns text, an image and a resource.", object(""), func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{
			&sdk.TextContent{Text: "Multiple content types test:"},
			&sdk.ImageContent{Data: decode(pngPixel), MIMEType: "image/png"},
			&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: "test://mixed-content-resource", MIMEType: "application/json", Text: `{"test":"data","value":123}`}},
		}}, nil
	})
	tool("test_tool_with_logging", "Sends three log messages.", object(""), func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		for i, msg := range []string{"Tool execution started", "Tool processing data", "Tool execution completed"} {
			if i > 0 {
				if err := pause(ctx, 50*time.Millisecond); err != nil {
					return nil, err
				}
			}
			_ = req.Session.Log(ctx, &sdk.LoggingMessageParams{Level: "info", Data: msg, Logger: "conformance"})
		}
		return textResult("Tool with logging executed successfully"), nil
	})
	tool("test_error_handling", "Always fails.", object(""), func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		r := &sdk.CallToolResult{}
		r.SetError(errors.New("this tool intentionally returns an error for testing"))
		return r, nil
	})
	tool("test_tool_with_progress", "Reports progress three times.", object(""), func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		token := req.Params.GetProgressToken()
		for i, p := range []float64{0, 50, 100} {
			if i > 0 {
				if err := pause(ctx, 50*time.Millisecond); err != nil {
					return nil, err
				}
			}
			if token != nil {
				_ = req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{ProgressToken: token, Progress: p, Total: 100})
			}
		}
		return textResult(fmt.Sprint(token)), nil
	})
	tool("test_sampling", "Asks the client's LLM.", object(`{"prompt":{"type":"string"}}`, "prompt"), func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		var in struct{ Prompt string }
		_ = json.Unmarshal(req.Params.Arguments, &in)
		res, err := req.Session.CreateMessage(ctx, &sdk.CreateMessageParams{MaxTokens: 100,
			Messages: []*sdk.SamplingMessage{{Role: "user", Content: &sdk.TextContent{Text: in.Prompt}}}})
		if err != nil {
			return nil, err
		}
		text := ""
		if tc, ok := res.Content.(*sdk.TextContent); ok {
			text = tc.Text
		}
		return textResult("LLM response: " + text), nil
	})
	elicit := func(name string, schema map[string]any, message func(json.RawMessage) string, prefix string) {
		tool(name, "Asks the user.", func() map[string]any {
			if name == "test_elicitation" {
				return object(`{"message":{"type":"string"}}`, "message")
			}
			return object("")
		}(), func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			res, err := req.Session.Elicit(ctx, &sdk.ElicitParams{Message: message(req.Params.Arguments), RequestedSchema: schema})
			if err != nil {
				return nil, err
			}
			content, _ := json.Marshal(res.Content)
			return textResult(fmt.Sprintf("%saction=%s, content=%s", prefix, res.Action, content)), nil
		})
	}
	elicit("test_elicitation", object(`{"username":{"type":"string","description":"User's response"},"email":{"type":"string","description":"User's email address"}}`, "username", "email"),
		func(args json.RawMessage) string {
			var in struct{ Message string }
			_ = json.Unmarshal(args, &in)
			return in.Message
		}, "User response: ")
	elicit("test_elicitation_sep1034_defaults", object(`{
		"name":{"type":"string","default":"John Doe"},
		"age":{"type":"integer","default":30},
		"score":{"type":"number","default":95.5},
		"status":{"type":"string","enum":["active","inactive","pending"],"default":"active"},
		"verified":{"type":"boolean","default":true}}`),
		func(json.RawMessage) string { return "Please review and update the form fields with defaults" }, "Elicitation completed: ")
	elicit("test_elicitation_sep1330_enums", object(`{
		"untitledSingle":{"type":"string","enum":["option1","option2","option3"]},
		"titledSingle":{"type":"string","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
		"legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
		"untitledMulti":{"type":"array","items":{"type":"string","enum":["option1","option2","option3"]}},
		"titledMulti":{"type":"array","items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}}`),
		func(json.RawMessage) string { return "Please select options from the enum fields" }, "Elicitation completed: ")
	var schema2020 map[string]any
	_ = json.Unmarshal([]byte(`{
		"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
		"$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
		"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},
		"additionalProperties":false}`), &schema2020)
	tool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features", schema2020, func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		return textResult("ok"), nil
	})
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func fixtureResources(s *sdk.Server) {
	static := func(uri, name, mime string, contents *sdk.ResourceContents) {
		s.AddResource(&sdk.Resource{URI: uri, Name: name, MIMEType: mime},
			func(context.Context, *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
				return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{contents}}, nil
			})
	}
	static("test://static-text", "static-text", "text/plain",
		&sdk.ResourceContents{URI: "test://static-text", MIMEType: "text/plain", Text: "This is the content of the static text resource."})
	static("test://static-binary", "static-binary", "image/png",
		&sdk.ResourceContents{URI: "test://static-binary", MIMEType: "image/png", Blob: decode(pngPixel)})
	static("test://watched-resource", "watched-resource", "text/plain",
		&sdk.ResourceContents{URI: "test://watched-resource", MIMEType: "text/plain", Text: "Watched resource content"})
	s.AddResourceTemplate(&sdk.ResourceTemplate{URITemplate: "test://template/{id}/data", Name: "template", MIMEType: "application/json"},
		func(_ context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
			id := strings.TrimSuffix(strings.TrimPrefix(req.Params.URI, "test://template/"), "/data")
			text, _ := json.Marshal(map[string]any{"id": id, "templateTest": true, "data": "Data for ID: " + id})
			return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: req.Params.URI, MIMEType: "application/json", Text: string(text)}}}, nil
		})
}

func fixturePrompts(s *sdk.Server) {
	msg := func(c sdk.Content) *sdk.PromptMessage { return &sdk.PromptMessage{Role: "user", Content: c} }
	s.AddPrompt(&sdk.Prompt{Name: "test_simple_prompt", Description: "A simple prompt."},
		func(context.Context, *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
			return &sdk.GetPromptResult{Messages: []*sdk.PromptMessage{msg(&sdk.TextContent{Text: "This is a simple prompt for testing."})}}, nil
		})
	s.AddPrompt(&sdk.Prompt{Name: "test_prompt_with_arguments", Description: "A prompt with arguments.", Arguments: []*sdk.PromptArgument{
		{Name: "arg1", Description: "First test argument", Required: true},
		{Name: "arg2", Description: "Second test argument", Required: true},
	}}, func(_ context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
		a := req.Params.Arguments
		return &sdk.GetPromptResult{Messages: []*sdk.PromptMessage{msg(&sdk.TextContent{
			Text: fmt.Sprintf("Prompt with arguments: arg1='%s', arg2='%s'", a["arg1"], a["arg2"])})}}, nil
	})
	s.AddPrompt(&sdk.Prompt{Name: "test_prompt_with_embedded_resource", Description: "A prompt with a resource.", Arguments: []*sdk.PromptArgument{
		{Name: "resourceUri", Description: "URI of the resource to embed", Required: true},
	}}, func(_ context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
		return &sdk.GetPromptResult{Messages: []*sdk.PromptMessage{
			msg(&sdk.EmbeddedResource{Resource: &sdk.ResourceContents{URI: req.Params.Arguments["resourceUri"], MIMEType: "text/plain", Text: "Embedded resource content for testing."}}),
			msg(&sdk.TextContent{Text: "Please process the embedded resource above."}),
		}}, nil
	})
	s.AddPrompt(&sdk.Prompt{Name: "test_prompt_with_image", Description: "A prompt with an image."},
		func(context.Context, *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
			return &sdk.GetPromptResult{Messages: []*sdk.PromptMessage{
				msg(&sdk.ImageContent{Data: decode(pngPixel), MIMEType: "image/png"}),
				msg(&sdk.TextContent{Text: "Please analyze the image above."}),
			}}, nil
		})
}
