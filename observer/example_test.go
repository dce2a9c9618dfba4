package observer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/process"
)

// An application mounts the observer on its own server. Actions need the
// token in the X-Orchard-Token header; the page sets it from its URL's
// fragment (http://host/#token=...).
func ExampleNew() {
	node, _ := process.NewNode()
	defer node.Stop(context.Background())
	pid, _ := node.Spawn(func(p *process.Proc) error { <-p.Context().Done(); return nil }, process.WithName("worker"))

	h, err := observer.New(observer.Config{Node: node, Token: "s3cret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	srv := httptest.NewServer(h) // or mux.Handle("/observer/", http.StripPrefix("/observer", h))
	defer srv.Close()

	kill := srv.URL + "/api/kill?pid=" + pid.String()
	res, _ := http.Post(kill, "", nil) // no token
	res.Body.Close()
	fmt.Println("without the token:", res.Status)

	req, _ := http.NewRequest(http.MethodPost, kill, nil)
	req.Header.Set(observer.TokenHeader, "s3cret")
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	fmt.Println("with the token:", res.Status, "alive:", node.IsAlive(pid))
	// Output:
	// without the token: 403 Forbidden
	// with the token: 200 OK alive: false
}

// A Section plugs another package's view into the page: agents, MCP
// connections, a crash log, cluster nodes.
func ExampleSectionFunc() {
	s := observer.SectionFunc("Agents", func(context.Context) (observer.Table, error) {
		return observer.Table{Columns: []string{"name", "status"}, Rows: [][]string{{"planner", "ready"}}}, nil
	})
	t, _ := s.Rows(context.Background())
	fmt.Println(s.Title(), t.Columns, t.Rows)
	// Output: Agents [name status] [[planner ready]]
}
