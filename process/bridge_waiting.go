package process

// Waiting returns how many messages wait in the mailbox of p behind the
// one it is handling: queued and not yet taken by its handler. Only the
// goroutine running p may call it (a handler, from HandleMessage); it
// reads one shared counter, whose cache line the handler's goroutine
// touched when it took its messages. 0 for a nil or zero p.
func (bridge) Waiting(p *Proc) int {
	if p.unusable() {
		return 0
	}
	n := int(p.mb.queued.Load())
	if !p.isFunc() && p.mb.bound == nil {
		// An unbounded handler mailbox settles its counter once per
		// batch (Proc.runHandler): the batch's messages already taken
		// are still counted.
		n -= p.pos
	}
	return max(n, 0)
}
