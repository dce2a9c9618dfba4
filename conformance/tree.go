package conformance

import (
	"time"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// startSupervisor starts the supervisor at path, linked to parent, and
// records sup_init P first (conf_sup:init registers before it starts any
// child). The PID is registered when parent spawns it, so that a death in
// its own init is still seen as sup_exit P.
func (r *runner) startSupervisor(parent *process.Proc, path string, t *Tree) (process.PID, error) {
	r.emit("sup_init " + path)
	r.mu.Lock()
	r.pending[parent.PID()] = path
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.pending, parent.PID())
		r.mu.Unlock()
	}()
	flags := supervisor.Flags{
		MaxRestarts:  maxRestarts(t.IntensityValue()),
		Period:       ms(t.PeriodValue()),
		AutoShutdown: autoShutdown(t.AutoShutdownName()),
	}
	opts := []supervisor.Option{supervisor.WithEventHook(r.onSupervisorEvent), supervisor.WithLogger(r.logger)}
	switch t.StrategyName() {
	case SimpleOneForOne:
		tmpl := &t.Children[0]
		spec := supervisor.DynamicSpec{Flags: flags, Template: &supervisor.Template{
			Start:       r.templateStart(path, tmpl.BehaviorValue()),
			Restart:     restartType(tmpl.RestartName()),
			Shutdown:    shutdown(tmpl.ShutdownValue()),
			Type:        supervisor.Worker,
			Significant: tmpl.Significant,
		}}
		return supervisor.StartDynamicLink(parent, spec, opts...)
	case Dynamic:
		spec := supervisor.DynamicSpec{Flags: flags}
		if t.MaxChildren != nil {
			spec.MaxChildren = *t.MaxChildren
		}
		return supervisor.StartDynamicLink(parent, spec, opts...)
	}
	flags.Strategy = strategy(t.StrategyName())
	spec := supervisor.Spec{Flags: flags}
	for i := range t.Children {
		spec.Children = append(spec.Children, r.childSpec(path, &t.Children[i]))
	}
	return supervisor.StartLink(parent, spec, opts...)
}

// childSpec builds the supervisor child spec of c under supPath.
func (r *runner) childSpec(supPath string, c *ChildSpec) supervisor.ChildSpec {
	path := supPath + "/" + c.ID
	spec := supervisor.ChildSpec{
		ID:          c.ID,
		Restart:     restartType(c.RestartName()),
		Shutdown:    shutdown(c.ShutdownValue()),
		Significant: c.Significant,
	}
	if c.TypeName() == "supervisor" {
		tree := c.Tree
		spec.Type = supervisor.SupervisorChild
		spec.Start = func(parent *process.Proc) (process.PID, error) {
			return r.startSupervisor(parent, path, tree)
		}
		return spec
	}
	spec.Type = supervisor.Worker
	spec.Start = r.workerStart(path, c.BehaviorValue())
	return spec
}

// maxRestarts is OTP's intensity as Flags.MaxRestarts: intensity 0 (no
// restarts) is supervisor.NoRestarts, since the zero MaxRestarts means
// OTP's default of 1.
func maxRestarts(intensity int) int {
	if intensity == 0 {
		return supervisor.NoRestarts
	}
	return intensity
}

func strategy(s string) supervisor.Strategy {
	switch s {
	case OneForAll:
		return supervisor.OneForAll
	case RestForOne:
		return supervisor.RestForOne
	}
	return supervisor.OneForOne
}

func restartType(s string) supervisor.Restart {
	switch s {
	case "transient":
		return supervisor.Transient
	case "temporary":
		return supervisor.Temporary
	}
	return supervisor.Permanent
}

func autoShutdown(s string) supervisor.AutoShutdown {
	switch s {
	case "any_significant":
		return supervisor.AnySignificant
	case "all_significant":
		return supervisor.AllSignificant
	}
	return supervisor.Never
}

func shutdown(s Shutdown) supervisor.Shutdown {
	switch s.Atom {
	case "brutal_kill":
		return supervisor.BrutalKill
	case "infinity":
		return supervisor.Infinity
	}
	return supervisor.Shutdown(time.Duration(s.MS) * time.Millisecond)
}
