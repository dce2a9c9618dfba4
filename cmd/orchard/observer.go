package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/observer"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// mount adds handlers to the demo's HTTP mux; its close runs when the
// server stops.
type mount func(mux *http.ServeMux) (close func() error, err error)

// observerMount serves the observer at the root of the demo's server
// (next to /metrics and the probes) with its actions enabled by a fresh
// random token, which the returned fragment ("#token=...") carries: the
// printed URL opens the page with the actions on, and the fragment never
// reaches a server. sections are further views (the agents').
func observerMount(node *process.Node, tel *telemetry.Registry, letters *deadletter.Queue, sections ...observer.Section) (mount, string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("observer token: %w", err)
	}
	token := hex.EncodeToString(b)
	m := func(mux *http.ServeMux) (func() error, error) {
		h, err := observer.New(observer.Config{Node: node, Telemetry: tel, Token: token, DeadLetters: letters, Sections: sections})
		if err != nil {
			return nil, err
		}
		mux.Handle("/", h)
		return h.Close, nil
	}
	return m, "#token=" + token, nil
}
