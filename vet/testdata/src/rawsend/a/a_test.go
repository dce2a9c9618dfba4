package a

import "github.com/seed-fe72f376/orchard/process"

func inTest(p *process.Proc, to process.PID) error { return p.Send(to, job{}) }
