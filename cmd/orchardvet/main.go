// Command orchardvet runs Orchard's analyzer suite (package vet): bare go
// statements, blocking calls without a timeout, leaked monitors, private
// periodic timers, blocking Init, raw sends where supervised delivery is
// required, and sleeps in tests.
//
// Alone, on packages:
//
//	go run github.com/seed-fe72f376/orchard/cmd/orchardvet ./...
//	orchardvet -fix ./...        # apply the suggested fixes
//	orchardvet -rawsend=false ./...
//
// It exits 0 when there is nothing to report and non-zero with findings.
// Under go vet, which runs it once per package:
//
//	go build -o /tmp/orchardvet github.com/seed-fe72f376/orchard/cmd/orchardvet
//	go vet -vettool=/tmp/orchardvet ./...
//
// # OTP map
//
// OTP has no static checker of its rules; this is the Go counterpart of
// Dialyzer and Credo checks run in CI (see package vet for each rule).
package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/seed-fe72f376/orchard/vet"
)

func main() { multichecker.Main(vet.Analyzers()...) }
