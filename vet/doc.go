// Package vet is Orchard's analyzer suite: static checks, on
// golang.org/x/tools/go/analysis, for the rules that keep work supervised
// and bounded (the enforcement stage of the migration: automated checks
// that find raw sends, unmanaged monitors, self-scheduled timers and calls
// without timeouts). Each analyzer is a package of its own under vet/;
// Analyzers lists them all, and cmd/orchardvet runs them, alone
// (go run ./cmd/orchardvet ./...) or under go vet -vettool.
//
//	Analyzer     Rule (OTP / Foundation)                         Package
//	-----------  ----------------------------------------------  ---------------
//	nakedgo      every process is supervised (no bare spawn)      vet/nakedgo
//	calltimeout  every call has a timeout (gen_server:call/3)     vet/calltimeout
//	monitorleak  monitors are removed (demonitor/2)              vet/monitorleak
//	selftimer    the scheduler owns periodic work                 vet/selftimer
//	initblock    never block in init/1 (handle_continue)          vet/initblock
//	rawsend      no raw send to other processes (opt-in)          vet/rawsend
//	testsleep    tests wait for events, not for time              vet/testsleep
//
// A finding that is deliberate is kept with a directive giving the reason,
// on its line or the line above, or before the package clause for a whole
// file:
//
//	//orchardvet:allow nakedgo,selftimer the reason, in words
//
// A package whose every use of a pattern is deliberate (a demo's display
// ticks) says so once, in any of its files:
//
//	//orchardvet:allow-package selftimer the reason, in words
//
// Only testsleep reads _test.go files: tests build misbehaving processes
// on purpose, and go test's -timeout and goleak bound them.
//
// Orchard's runtime (package process and the module's internal packages)
// is exempt from nakedgo and selftimer, and the scheduler (package
// schedule) from selftimer: they are where goroutines and timers are
// supposed to live.
//
// The suite is part of Orchard's module rather than a nested module of its
// own: module graph pruning (go 1.17 and later) keeps golang.org/x/tools out
// of the builds, downloads and go.sum of a program that imports only the
// runtime packages, and one module keeps go run ./cmd/orchardvet ./...
// working from the repository's root.
package vet
