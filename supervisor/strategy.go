package supervisor

import "github.com/seed-fe72f376/orchard/process"

// Strategy decisions are pure functions of the child's spec, the exit
// reason and the supervisor's child order: they return an action value and
// touch no process, so they are table-tested without goroutines
// (strategy_test.go). The supervisor process carries the actions out.

// exitAction is what a supervisor does when a child exits (OTP's
// do_restart clauses).
type exitAction int

const (
	// forget: drop the child quietly (a clean exit that needs no restart).
	forget exitAction = iota
	// reportAndForget: log child_terminated, then drop the child (a
	// temporary child that crashed).
	reportAndForget
	// restartChild: count a restart against the intensity and restart by
	// strategy, then log child_terminated.
	restartChild
)

// onExit decides what a child's exit calls for: permanent children always
// restart, transient ones unless the reason is normal or shutdown,
// temporary ones never, with a report when they crashed.
func onExit(restart Restart, reason error) exitAction {
	if restart == Permanent {
		// Whatever the reason: no need to classify it (which costs an
		// errors.As, reflection and an allocation, for a plain error).
		return restartChild
	}
	clean := process.IsNormalOrShutdown(reason)
	switch {
	case restart == Permanent, restart == Transient && !clean:
		return restartChild
	case restart == Temporary && !clean:
		return reportAndForget
	}
	return forget
}

// restartGroup returns the children a strategy restarts when the child id
// exits, in start order (they are terminated in the reverse order first):
// one_for_one the child alone, one_for_all every child, rest_for_one the
// child and every child started after it. ids is the supervisor's start
// order; the result never shares its array.
func restartGroup(strategy Strategy, ids []string, id string) []string {
	switch strategy {
	case OneForAll:
		return append([]string(nil), ids...)
	case RestForOne:
		for i, x := range ids {
			if x == id {
				return append([]string(nil), ids[i:]...)
			}
		}
		return nil
	}
	return []string{id}
}
