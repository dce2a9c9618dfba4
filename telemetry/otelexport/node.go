package otelexport

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// nodeInstruments are the observable instruments of a node.
type nodeInstruments struct {
	processes, zombies, timers, workers metric.Int64ObservableGauge
	dropped                             metric.Int64ObservableCounter
	mailboxSum, mailboxMax, mailbox     metric.Int64ObservableGauge
}

func (n *nodeInstruments) create(meter metric.Meter) error {
	var err error
	gauge := func(name, help string) metric.Int64ObservableGauge {
		if err != nil {
			return nil
		}
		var g metric.Int64ObservableGauge
		g, err = meter.Int64ObservableGauge(name, metric.WithDescription(help))
		return g
	}
	n.processes = gauge("orchard_processes", "Live processes.")
	n.zombies = gauge("orchard_zombies", "Killed processes whose goroutine still runs.")
	n.timers = gauge("orchard_timers", "Pending timers.")
	n.workers = gauge("orchard_workers", "Worker goroutines, busy or idle.")
	n.mailboxSum = gauge("orchard_mailbox_messages", "Messages queued in all mailboxes.")
	n.mailboxMax = gauge("orchard_mailbox_messages_max", "Messages queued in the longest mailbox.")
	n.mailbox = gauge("orchard_mailbox_length", "Messages queued in the mailbox of a registered process.")
	if err != nil {
		return err
	}
	n.dropped, err = meter.Int64ObservableCounter("orchard_messages_dropped", metric.WithDescription("Messages sent to dead processes."))
	return err
}

// observeNode registers the callback reading node at each collection.
func observeNode(meter metric.Meter, node *process.Node, mailboxScan bool) (metric.Registration, error) {
	var n nodeInstruments
	if err := n.create(meter); err != nil {
		return nil, err
	}
	insts := []metric.Observable{n.processes, n.zombies, n.timers, n.workers, n.dropped}
	if mailboxScan {
		insts = append(insts, n.mailboxSum, n.mailboxMax, n.mailbox)
	}
	return meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := node.Stats()
		o.ObserveInt64(n.processes, int64(st.Processes))
		o.ObserveInt64(n.zombies, int64(st.Zombies))
		o.ObserveInt64(n.timers, int64(st.Timers))
		o.ObserveInt64(n.workers, int64(st.Workers))
		o.ObserveInt64(n.dropped, int64(st.DroppedMessages))
		if mailboxScan {
			n.observeMailboxes(o, node)
		}
		return nil
	}, insts...)
}

func (n *nodeInstruments) observeMailboxes(o metric.Observer, node *process.Node) {
	sum, longest := metricmap.ScanMailboxes(node, func(name string, length int) {
		o.ObserveInt64(n.mailbox, int64(length), metric.WithAttributes(attribute.String("name", name)))
	})
	o.ObserveInt64(n.mailboxSum, int64(sum))
	o.ObserveInt64(n.mailboxMax, int64(longest))
}
