package rt

import "github.com/seed-fe72f376/orchard/process"

// Waiting returns how many messages wait in p's mailbox behind the one p
// is handling. Only the goroutine running p may call it, from p's own
// handler: a behaviour uses it to tell that it has fallen behind (package
// genserver reads its clock only then). It is cheap: one atomic load.
func Waiting(p *process.Proc) int { return impl.Waiting(p) }
