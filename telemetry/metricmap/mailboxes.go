package metricmap

import "github.com/seed-fe72f376/orchard/process"

// ScanMailboxes walks node's processes once, calls named with the mailbox
// length of every registered process, and returns the total and the
// longest mailbox: the node gauges both exporters read at collection. It
// costs O(processes); a process that dies during the walk is skipped.
func ScanMailboxes(node *process.Node, named func(name string, length int)) (total, longest int) {
	for _, pid := range node.Processes() {
		info, err := node.Info(pid)
		if err != nil {
			continue // died since the listing
		}
		total += info.MailboxLen
		longest = max(longest, info.MailboxLen)
		if info.Name != "" {
			named(info.Name, info.MailboxLen)
		}
	}
	return total, longest
}
