package jsonrpc_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServeHTTP(t *testing.T) {
	f := newFixture(t)
	hs := httptest.NewServer(f.srv)
	defer hs.Close()
	cases := []struct {
		name, method, body string
		status             int
		want               string
	}{
		{"request", "POST", `{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}`, 200, `{"jsonrpc":"2.0","id":1,"result":3}`},
		{"notification", "POST", `{"jsonrpc":"2.0","method":"add","params":[1]}`, 204, ``},
		{"panic", "POST", `{"jsonrpc":"2.0","id":2,"method":"panic"}`, 200, `{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"internal error: handler panicked: boom"}}`},
		{"too large", "POST", `"` + strings.Repeat("x", 5<<20) + `"`, 413, `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"message too large"}}`},
		{"get", "GET", ``, 405, "jsonrpc: POST only\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, hs.URL, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || string(got) != tc.want {
				t.Fatalf("%s %s = %d %q; want %d %q", tc.method, tc.name, resp.StatusCode, got, tc.status, tc.want)
			}
		})
	}
}
