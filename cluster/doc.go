// Package cluster implements Orchard's distribution on NATS: nodes that
// join a cluster, PIDs that name their node, and sends, genserver calls
// and casts that cross nodes with OTP's semantics, plus node monitors.
//
// # OTP mapping
//
//	OTP / BEAM                                 Orchard
//	erl -name a@host -setcookie C              cluster.Start(ctx, Config{Name: "a", Dir: ..., User/Password})
//	node(), nodes()                            (*Node).Name, (*Node).Up, (*Node).Members
//	Pid ! Msg to a remote pid                  proc.Send(remotePID, msg) (process API, unchanged)
//	{Name, Node} ! Msg, gen_server:call({Name, Node}, Req)   (*Node).RemoteName(node, name) as a process.Dest
//	gen_server:call/cast to a remote pid       genserver.Call / genserver.Cast (unchanged)
//	noconnection                               NoConnection
//	link/1, monitor/2, exit/2 to a remote pid  proc.Link, proc.Monitor, proc.Exit (process API, unchanged)
//	monitor_node(Node, true)                   (*Node).MonitorNode(pid, node) -> NodeDown
//	net_kernel:monitor_nodes(true)             (*Node).MonitorNodes(pid) -> NodeUp, NodeDown
//	external term format                       Codec (JSON default) + a per-node type registry (Register)
//	the distribution channel's output buffer   a per-node outbox, published in batches by cluster.outbox
//	epmd + distribution over TCP               NATS routes between embedded servers, or an external NATS cluster
//	net_ticktime                               Config.Heartbeat, Config.DownAfter
//	global:register_name/2, whereis_name/1     (*Node).RegisterGlobal, (*Node).WhereIsGlobal, Global(n, name) (Dest, Registrar)
//	{via, global, Name}                        genserver.WithVia(cluster.Global(n, name))
//	a global singleton (global + supervisor)  (*Node).StartSingleton(SingletonSpec), leased, with a fencing token
//	(none: fencing is outside OTP)             (*Node).Fence(ctx, resource, token), ErrStaleToken
//	a DynamicSupervisor spanning nodes         (*Node).StartDistributed(DistSpec), (*DistSupervisor).StartChild(ctx, DistChild)
//	  (Horde / Swarm in Elixir)                  ByKeyHash, LeastLoaded; leased children with fencing tokens
//	supervisor intensity and period            DistSpec.MaxRestarts, DistSpec.Period (per node), ErrMaxRestartIntensity
//	  (of a singleton's instance)                SingletonSpec.MaxRestarts, SingletonSpec.Period (on the holding node)
//	the kernel's supervision of global, etc.  the node's services supervisor: singleton and distributed-supervisor managers
//	supervised send to a remote pid            send.Send(ctx, remotePID, msg, send.WithConfirm(...)) (package send, unchanged)
//	spawn(Node, M, F, A), Node.spawn/2         (*Node).Spawn(ctx, node, name, arg); RegisterSpawnable(n, name, fn) on node
//	spawn_link/4, spawn_monitor/4              (*Node).SpawnLink(ctx, p, ...), (*Node).SpawnMonitor(ctx, p, ...)
//	supervisor:start_child({Sup, Node}, Spec)  (*Node).StartChild(ctx, sup, factory, arg); RegisterChild(n, factory, fn) on node
//	which_children, terminate_child, ... on {Sup, Node}   (*Node).WhichChildren, TerminateChild, DeleteChild, RestartChild, CountChildren
//
// # Semantics
//
// Start creates a process.Node whose number is derived from the node's
// name ([NodeNumber]), so a PID names its node on every node. The node's
// one NATS engine (the same one the durable services use) is an
// embedded nats-server whose routes connect it to the other nodes'
// servers (Config.Routes, the seed list; a node listening on a
// non-loopback address must set User and Password, else Start returns an
// [*InsecureError]), or a connection to an external NATS cluster
// (Config.URL, with user/password, an nkey seed or a credentials file,
// and TLS).
//
// Each node subscribes to one subject. A send to a PID of another node
// is encoded at the sender ([Register]ed types only: an unregistered
// type is an [*UnregisteredError] and a value the codec rejects an
// [*EncodeError], returned to the sender, never dropped silently; the
// basic types and PIDs cross in a binary form of their own) and put in
// the outbox to that node, which a process of the node (cluster.outbox)
// publishes on that node's subject: all the envelopes that accumulated
// since its last publish, as one NATS message, so a busy node sends
// batches. The receiving node delivers the messages in arrival order,
// so the messages of one sender to one receiver keep their order (NATS
// keeps the order of one connection's messages on a subject). A
// genserver.Call to a remote server is a NATS request on the same
// subject, published after the outbox's pending envelopes so that it
// does not overtake the caller's earlier messages, and served on the
// callee's node by a serving process (reused from call to call, a new
// one when all are busy) that makes the local call; its reply, an error
// returned by HandleCall ([*RemoteError]) or the server's exit reason
// comes back as the reply.
// Local sends and calls never touch NATS: only a lookup that already
// failed (the PID is not of this program) consults the cluster.
//
// Links, monitors and exit signals cross nodes through the process API
// itself: linking to or monitoring a remote PID records the link or
// monitor on both sides (a dead remote process answers with an exit
// signal or a Down with reason process.NoProc); a death, an exit signal
// and a Down travel on the same subject as the messages, in order with
// them; the runtime's atoms (normal, shutdown, kill, killed, noproc)
// keep their identity, any other reason arrives as a [*RemoteError]
// with its text. When a node is declared down, every local process
// linked to one of its processes gets an exit signal [NoConnection] and
// every monitor of one fires with Down [NoConnection]; linking to or
// monitoring a process of a node that is not up does so at once.
//
// Membership: every node publishes a heartbeat every Config.Heartbeat;
// a node silent for Config.DownAfter is declared down (defaults: 200 ms
// and 1 s, so a killed or frozen node is down within 1.5 s), and a node
// that stops with [Node.Stop] says so and is declared down at once with
// reason [Leaving]. A node back from a freeze (its heartbeat process did
// not run for longer than DownAfter) declares no node down until its
// routes, which its peers closed meanwhile, could be back and heard
// from: DownAfter plus 2 s (nats-server dials a route again after 1 s). Each change is a telemetry event ([EventNodeUp],
// [EventNodeDown]) and a message to node monitors. A send to a node that
// is not up fails with a [*NodeDownError] (matching [NoConnection]); a
// call to it fails with a *genserver.CallError whose reason is
// NoConnection, as does a call (a confirmed send, a remote spawn or
// supervisor request) outstanding when its node is declared down: at
// once, not at its timeout, as OTP's gen:call monitors the callee. A
// reply is published after the messages its handler sent to the
// caller's node, never before them.
//
// The global registry keeps names in the JetStream KV bucket
// [RegistryBucket]: a registration is a create (one of concurrent ones
// wins), its KV revision is a fencing token, every node keeps a cache of
// the bucket through a KV watch and resolves [GlobalName] from it, and
// a name is deleted (conditionally on its token) when its process dies
// or when its node is declared down (unless that node is seen up again
// before the delete went through: the node that declared it down was
// the one cut off). The watch is made again whenever it fails or ends.
//
// Remote spawn: a node registers under a name each function other
// nodes may start on it ([RegisterSpawnable]) and each child factory
// their supervisor operations may use ([RegisterChild]), taking one
// argument of a type the codec carries. [Node.Spawn] asks the target
// node's spawner server (a genserver call, bounded by the caller's
// context) to start it and returns the new PID; [Node.SpawnLink] and
// [Node.SpawnMonitor] hold the new process until the caller's link or
// monitor request, sent on the same subject, has been recorded there,
// so a process that dies at once still signals its reason, as OTP's
// spawn_link and spawn_monitor are atomic. [Node.StartChild] and the
// other supervisor operations run on the supervisor's node (named by
// a PID, a [RemoteName] or a [GlobalName]) and return the supervisor
// package's errors; the supervisor restarts the child there.
//
// # Differences from OTP
//
//   - Messages cross nodes only if their types are registered on both
//     nodes under the same wire name; a PID inside a message is a
//     [WirePID] field (process.PID's fields are unexported).
//   - A send to a node that is not connected is an error at the sender,
//     where OTP drops it silently.
//   - global's name clash resolution does not exist: a name has at most
//     one holder at any time, decided by the KV store, never two to
//     reconcile after a partition.
//   - Singletons hold a lease in JetStream KV ([LeasesBucket]): the node
//     holding it runs the instance with the lease's fencing token; a
//     node declared down, or a lease not renewed for [SingletonSpec]'s
//     Lease, lets another node take it over (compare-and-set, one
//     winner, a higher token); a holder that could not renew in time
//     kills its instance, and [Node.Fence] rejects a stale token. As
//     for a distributed supervisor's children (below), a holder declared
//     down is not waited for: alive but cut off, it runs its instance
//     until Lease-tick after its last renewal beside the new one. A
//     singleton stopped, or a node leaving gracefully, hands the lease
//     over once its instance has ended.
//   - A distributed dynamic supervisor ([Node.StartDistributed]) keeps
//     its children in [ChildrenBucket], each under a lease like a
//     singleton's, placed on a live node running the supervisor
//     ([ByKeyHash] or [LeastLoaded]); the children of a node declared
//     down, of a lease that lapsed, or of a node that left ([Node.Stop]
//     hands them over first) are taken over by compare-and-set, one
//     winner per child with a higher fencing token, and an owner that
//     could not renew kills its instance. A node declared down is not
//     waited for: if it is in fact alive but cut off, its instance runs
//     until Lease-tick after its last renewal while the new one already
//     runs, so an instance acts only through its fencing token
//     ([Node.Fence]). OTP restarts children only on the supervisor's
//     node. The instances running on one node restart at most
//     DistSpec.MaxRestarts times within DistSpec.Period (OTP's
//     intensity, counted by the same code as package supervisor);
//     past that the node's manager gives up with
//     [ErrMaxRestartIntensity] after an error report. A singleton's
//     instance restarts likewise at most SingletonSpec.MaxRestarts
//     times within SingletonSpec.Period on the holding node; past that
//     its manager gives up the same way, and the lease, which still
//     names the node, is taken again by the restarted manager; it
//     passes to another node when the node's services supervisor gives
//     up in turn (the lease lapses).
//   - The managers of singletons and distributed supervisors are
//     transient workers of the node's services supervisor: a crashed
//     manager is restarted (it takes again at once the leases that
//     still name its node) and [Node.Stop] stops them in order.
//   - Leases are kept by JetStream, whose leader re-election after the
//     loss of a server takes seconds (4 to 9 s in nats-server): a node
//     whose KV operations were not answered restarts the expiry clocks
//     of the leases it watches, so an owner that could not renew during
//     an election takes its lease back before anyone else may. A lease
//     shorter than an election lapses on its owner, which then restarts
//     its instance with a new token. [Node.Fence] accepts a token only
//     by a compare-and-set write, since a read may come from a replica
//     that is behind (after a lost write it reads from the leader).
//   - A supervised send (package send) to a process of another node is
//     confirmed by that node: in the mailbox (Enqueued) or handled
//     (Handled); a lost node is an error ([NoConnection] as the reason),
//     so the send retries and dead-letters instead of losing the
//     message.
//   - A spawn names a registered function and passes one encodable
//     argument: a closure cannot cross nodes. A name the target node
//     does not have is an [*UnknownSpawnableError] at the caller (OTP
//     spawns a process that fails with undef), and a node that is not
//     up an error matching [NoConnection] (OTP returns a PID whose link
//     or monitor fires noconnection). Between nodes of one program,
//     SpawnLink and SpawnMonitor fail: the runtime does not link or
//     monitor across nodes of one program.
//   - supervisor.StartChild itself cannot reach a supervisor of another
//     node (a ChildSpec holds functions: the call fails at the sender
//     with an [*UnregisteredError]); [Node.StartChild] names a child
//     factory registered on the supervisor's node instead.
//
// # Example
//
//	a, err := cluster.Start(ctx, cluster.Config{Name: "a", Dir: dirA})
//	b, err := cluster.Start(ctx, cluster.Config{Name: "b", Dir: dirB, Routes: []string{a.RouteURL()}})
//	pid, err := genserver.Start(b.Process(), srv, genserver.WithName("echo"))
//	reply, err := genserver.Call[string](ctx, a.RemoteName("b", "echo"), "hi")
package cluster
