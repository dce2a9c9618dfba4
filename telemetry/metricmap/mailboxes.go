package metricmap

import "github.com/seed-fe72f376/orchard/process"

// ScanMailboxes walks node's processes once, calls named with the mailbox
// length of every registered process, and returns the total and the
// longest mailbox: the node gauges both exporters read at collection. It
// costs O(processes); a process that dies during the walk is skipped.
//
// A nil node gives 0, 0; a nil named is not called.
func ScanMailboxes(node *process.Node, named func(name string, length int)) (total, longest int) {
	if node == nil {
		return 0, 0
	}
	for _, pid := range node.Processes() {
		info, err := node.Info(pid)
		if err != nil {
			continue // died since the listing
		}
		total += info.MailboxLen
		longest = max(longest, info.MailboxLen)
		if info.Name != "" && named != nil {
			named(info.Name, info.MailboxLen)
		}
	}
	return total, longest
}
