package agent

import (
	"context"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/supervisor"
)

// SensorFunc is a sensor's code: it turns outside events into signals by
// calling emit (System.Publish) until ctx is cancelled, and returns nil
// then. An error or a panic crashes the sensor; its supervisor restarts
// it.
type SensorFunc func(ctx context.Context, emit func(Signal) error) error

// StartSensor runs fn as a supervised process (a Permanent child of the
// system's sensors supervisor) named id among the sensors.
func (sys *System) StartSensor(ctx context.Context, id string, fn SensorFunc) (process.PID, error) {
	const op = "agent: StartSensor"
	switch {
	case sys == nil:
		return process.PID{}, argerr.Nil(op, "sys")
	case ctx == nil:
		return process.PID{}, argerr.Nil(op, "ctx")
	case id == "":
		return process.PID{}, argerr.Empty(op, "id")
	case fn == nil:
		return process.PID{}, argerr.Nil(op, "fn")
	}
	spec := supervisor.ChildSpec{ID: id, Start: func(parent *process.Proc) (process.PID, error) {
		return parent.Spawn(func(p *process.Proc) error {
			pctx := p.Context()
			return fn(pctx, func(s Signal) error {
				if s.Source == "" {
					s.Source = "sensor:" + id
				}
				_, err := sys.Publish(pctx, s)
				return err
			})
		}, process.Linked(), process.WithBehaviour("agent.sensor"))
	}}
	return supervisor.StartDynamicChild(ctx, sys.sensors, spec)
}

// TimerSensor is a sensor that publishes a signal of type typ every
// interval, with the tick number as data; its timer is its own process's
// (process.Proc.SendAfter), cancelled with it.
func TimerSensor(typ string, interval time.Duration) SensorFunc {
	return func(ctx context.Context, emit func(Signal) error) error {
		p, ok := process.FromContext(ctx)
		if !ok || interval <= 0 || typ == "" {
			return argerr.New("agent: TimerSensor", "interval", "must be positive, with a type, in a process")
		}
		type tick struct{}
		for n := 1; ; n++ {
			//orchardvet:allow selftimer the tick of one sensor process, ending with it (a sensor is the periodic source itself)
			if _, err := p.SendAfter(p.PID(), tick{}, interval); err != nil {
				return err
			}
			if _, err := p.Receive(ctx); err != nil {
				return nil // stopped
			}
			sig, _ := NewSignal("", typ, n)
			if err := emit(sig); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}
