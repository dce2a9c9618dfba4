package cluster

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// The node's services supervisor: the managers of its singletons and
// distributed supervisors run under it, so that a manager that crashes
// is restarted and the node's stop terminates them in order.
const (
	// servicesMaxRestarts and servicesPeriod are the services
	// supervisor's intensity: a manager may crash and be restarted a few
	// times within the period; past that the supervisor gives up (OTP's
	// reached_max_restart_intensity report), ending every manager of the
	// node, whose leases then lapse and pass to other nodes.
	servicesMaxRestarts = 3
	servicesPeriod      = 5 * time.Second
	// serviceShutdown is how long a manager may take to stop (kill its
	// instances) before it is killed.
	serviceShutdown = supervisor.Shutdown(5 * time.Second)
	// serviceCallTimeout bounds a call to the services supervisor.
	serviceCallTimeout = 10 * time.Second
)

// services returns the node's services supervisor, started on first
// use: a one_for_one supervisor of transient workers, one per singleton
// or distributed supervisor of this node.
func (n *Node) services() (process.PID, error) {
	n.svcMu.Lock()
	defer n.svcMu.Unlock()
	if !n.svc.IsZero() {
		return n.svc, nil
	}
	pid, err := supervisor.Start(n.proc, supervisor.Spec{Flags: supervisor.Flags{
		MaxRestarts: servicesMaxRestarts, Period: servicesPeriod}},
		supervisor.WithName("cluster.services"))
	if err != nil {
		return process.PID{}, fmt.Errorf("cluster: services supervisor: %w", err)
	}
	n.svc = pid
	return pid, nil
}

// startService starts run as the transient worker id of the services
// supervisor: restarted when it ends abnormally (a crash, an error), not
// when it returns nil or is told to shut down.
func (n *Node) startService(id string, run process.Func) error {
	sup, err := n.services()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), serviceCallTimeout)
	defer cancel()
	_, err = supervisor.StartChild(ctx, sup, supervisor.ChildSpec{
		ID: id, Restart: supervisor.Transient, Shutdown: serviceShutdown,
		Start: func(p *process.Proc) (process.PID, error) {
			return p.Spawn(run, process.Linked(), rt.Behaviour(id))
		},
	})
	return err
}

// stopService terminates the worker id of the services supervisor and
// forgets it, waiting (bounded by ctx) until it has ended.
func (n *Node) stopService(ctx context.Context, id string) error {
	n.svcMu.Lock()
	sup := n.svc
	n.svcMu.Unlock()
	if sup.IsZero() {
		return nil
	}
	if err := supervisor.TerminateChild(ctx, sup, id); err != nil {
		return err
	}
	return supervisor.DeleteChild(ctx, sup, id)
}
