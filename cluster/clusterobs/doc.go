// Package clusterobs shows every node of a cluster on the observer's
// page (issue 18: "every node of the cluster from any node's page"):
// [Section] makes an observer.Section of a cluster node, for
// observer.Config.Sections.
//
// It is a package of its own, not a part of package observer, because
// package cluster runs on NATS and the observer must not link NATS
// (internal/layers, TestNATSStaysInTheStores): an application pays for
// NATS in its observer only when it is clustered, and imports this
// package then.
//
// Each node of the view is a row: its name and number, up or down,
// since when (its join time from the members bucket while it is up,
// else when this view first saw it in its current status), its last
// heartbeat, and its route address. Every node shows the same rows,
// so any node's page shows the whole cluster.
//
// # OTP map
//
//	OTP / Elixir / BEAM                          Orchard
//	observer's node menu, observer_web nodes     Section: a "Nodes" table
//	nodes([this, visible]), net_adm:names/0      cluster.Node.Members, MemberRecords
//	{nodeup, N} / {nodedown, N} times            the Since column
//	net_kernel's node addresses (epmd)           the Address column (route URLs)
package clusterobs
