package agent

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
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
		}, process.Linked(), asAgentSensor)
	}}
	return supervisor.StartDynamicChild(ctx, sys.sensors, spec)
}

// sensorTick is what the system's scheduler delivers to a timer sensor
// at each firing of its schedule.
type sensorTick struct{}

// StartTimerSensor runs a supervised sensor (a Permanent child of the
// system's sensors supervisor, like [System.StartSensor]) that publishes
// a signal of type typ every interval, with the tick number (1, 2, ...,
// counted across the sensor's restarts) as data and "sensor:"+id as
// source.
//
// The ticks come from the system's scheduler (schedule.Scheduler.Every),
// not from a timer of the sensor's own: each incarnation of the sensor
// adds a schedule it owns, so its death cancels the schedule and its
// restart adds a new one. Bad input (a nil system or ctx, an empty id or
// typ, an interval that is not positive) is an *[ArgumentError] returned
// before anything starts.
func (sys *System) StartTimerSensor(ctx context.Context, id, typ string, interval time.Duration) (process.PID, error) {
	const op = "agent: StartTimerSensor"
	switch {
	case sys == nil:
		return process.PID{}, argerr.Nil(op, "sys")
	case typ == "":
		return process.PID{}, argerr.Empty(op, "typ")
	case interval <= 0:
		return process.PID{}, argerr.New(op, "interval", fmt.Sprintf("must be positive, got %v", interval))
	}
	var ticks atomic.Uint64
	return sys.StartSensor(ctx, id, func(ctx context.Context, emit func(Signal) error) error {
		p, ok := process.FromContext(ctx)
		if !ok {
			return errors.New("agent: timer sensor outside its process")
		}
		// owned by this process (the process of ctx): cancelled when it dies
		if _, err := sys.sched.Every(ctx, interval, p.PID(), sensorTick{}); err != nil {
			return err
		}
		for {
			m, err := p.Receive(ctx)
			if err != nil {
				return nil // stopped
			}
			if _, ok := m.(sensorTick); !ok {
				continue
			}
			sig, err := NewSignal("", typ, ticks.Add(1))
			if err != nil {
				return err
			}
			if err := emit(sig); err != nil && ctx.Err() == nil {
				return err
			}
		}
	})
}

// The behaviour labels of the processes spawned here, made once: an
// option made at every spawn would allocate its label every time.
var (
	asAgentSensor = rt.Behaviour("agent.sensor")
)
