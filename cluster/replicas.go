package cluster

// Replicas returns the replica count this node gives the cluster's
// JetStream buckets: Config.Replicas when set, else three once three or
// more nodes are up on embedded servers (JetStream needs a majority of
// them), else one. The services that keep data in the node's engine
// (agent/kvstore, coord/kvcoord, deadletter/jsstore, through their
// OpenNode functions) follow the same count by default.
func (n *Node) Replicas() int { return n.replicas() }
