// Package off does not opt in: its raw sends are its own business.
package off

import "github.com/seed-fe72f376/orchard/process"

func f(p *process.Proc, to process.PID) error { return p.Send(to, nil) }
