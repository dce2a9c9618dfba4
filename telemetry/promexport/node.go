package promexport

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/process"
	"github.com/seed-fe72f376/orchard/telemetry/metricmap"
)

// nodeCollector reads a node's counters on every scrape.
type nodeCollector struct {
	node        *process.Node
	mailboxScan bool
}

var (
	descProcesses  = prometheus.NewDesc("orchard_processes", "Live processes.", nil, nil)
	descZombies    = prometheus.NewDesc("orchard_zombies", "Killed processes whose goroutine still runs.", nil, nil)
	descTimers     = prometheus.NewDesc("orchard_timers", "Pending timers.", nil, nil)
	descWorkers    = prometheus.NewDesc("orchard_workers", "Worker goroutines, busy or idle.", nil, nil)
	descDropped    = prometheus.NewDesc("orchard_messages_dropped_total", "Messages sent to dead processes.", nil, nil)
	descMailboxSum = prometheus.NewDesc("orchard_mailbox_messages", "Messages queued in all mailboxes.", nil, nil)
	descMailboxMax = prometheus.NewDesc("orchard_mailbox_messages_max", "Messages queued in the longest mailbox.", nil, nil)
	descMailbox    = prometheus.NewDesc("orchard_mailbox_length", "Messages queued in the mailbox of a registered process.", []string{"name"}, nil)
)

// NewNodeCollector returns a collector of node's gauges, read on every
// scrape: orchard_processes (live processes), orchard_zombies,
// orchard_timers, orchard_workers and orchard_messages_dropped_total from
// the node's Stats (cheap: atomic loads). With mailboxScan it also walks
// every live process (node.Processes, then node.Info for each: O(processes)
// and a few allocations per process, so turn it off for nodes with
// millions of processes) for orchard_mailbox_messages (sum),
// orchard_mailbox_messages_max, and orchard_mailbox_length{name} of each
// registered process (names are bounded; PIDs would not be). A nil node
// is an error matching [ErrInvalidArgument], a stopped one
// process.ErrNodeStopped.
func NewNodeCollector(node *process.Node, mailboxScan bool) (prometheus.Collector, error) {
	if node == nil {
		return nil, argerr.Nil("promexport: NewNodeCollector", "node")
	}
	if node.Stopped() {
		return nil, process.ErrNodeStopped
	}
	return &nodeCollector{node: node, mailboxScan: mailboxScan}, nil
}

// Describe sends the descriptors of the node's metrics.
func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descProcesses, descZombies, descTimers, descWorkers, descDropped} {
		ch <- d
	}
	if c.mailboxScan {
		ch <- descMailboxSum
		ch <- descMailboxMax
		ch <- descMailbox
	}
}

// Collect reads the node's counters and, if asked, its mailboxes.
func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.node.Stats()
	ch <- prometheus.MustNewConstMetric(descProcesses, prometheus.GaugeValue, float64(st.Processes))
	ch <- prometheus.MustNewConstMetric(descZombies, prometheus.GaugeValue, float64(st.Zombies))
	ch <- prometheus.MustNewConstMetric(descTimers, prometheus.GaugeValue, float64(st.Timers))
	ch <- prometheus.MustNewConstMetric(descWorkers, prometheus.GaugeValue, float64(st.Workers))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(st.DroppedMessages))
	if !c.mailboxScan {
		return
	}
	sum, longest := metricmap.ScanMailboxes(c.node, func(name string, n int) {
		ch <- prometheus.MustNewConstMetric(descMailbox, prometheus.GaugeValue, float64(n), name)
	})
	ch <- prometheus.MustNewConstMetric(descMailboxSum, prometheus.GaugeValue, float64(sum))
	ch <- prometheus.MustNewConstMetric(descMailboxMax, prometheus.GaugeValue, float64(longest))
}
