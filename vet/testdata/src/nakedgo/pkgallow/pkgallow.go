package pkgallow

import "github.com/seed-fe72f376/orchard/process"

var _ process.PID

func work() {}

func f() { go work() }
