// Package transport implements supervised network servers with one process
// per connection: a listener (TCP, optionally TLS) runs as a supervised
// acceptor process, and each accepted connection is handed to a new
// temporary process under a dynamic supervisor, which owns the socket.
//
// # OTP mapping
//
//	OTP / ranch / erlmcp                    Orchard
//	--------------------------------------  ----------------------------------------
//	ranch listener (ranch_listener_sup)     [Listen], [ChildSpec]: a rest_for_one tree
//	ranch_conns_sup (simple_one_for_one)    the "connections" dynamic supervisor
//	max_connections                         Config.MaxConnections (its MaxChildren)
//	ranch_acceptor                          the "acceptor" process (owns the net.Listener)
//	connection process (ranch_protocol)     a temporary child per connection: an owner
//	                                        process trapping exits + a linked reader
//	gen_tcp recv timeout / idle_timeout     Config.ReadTimeout / Config.IdleTimeout
//	{packet, line} + max packet size        [Conn.ReadFrame], Config.MaxMessageSize
//	ranch:suspend_listener + drain          [Listener.Stop], app's reverse stop order
//	{shutdown, Timeout} of a child spec     Config.ShutdownTimeout
//
// # Semantics
//
// The tree of a listener is
//
//	listener (rest_for_one)
//	├── connections  dynamic supervisor, MaxChildren = Config.MaxConnections
//	│   └── conn     temporary, one per accepted socket (owner process)
//	│       └── reader  linked process running Config.Handler
//	└── acceptor     owns the net.Listener
//
// The socket of a connection is closed the moment its owner process dies,
// whatever the reason (a context.AfterFunc on the process's context), so a
// killed or crashed connection never leaks its descriptor. The owner traps
// exits and holds no goroutine while idle; the reader is the one goroutine
// per connection, blocked in a read with a deadline.
//
// A connection over MaxConnections is refused at once: Config.Refuse (if
// set) may write a protocol-level error to it, with a short write deadline,
// and the socket is closed; nothing is queued.
//
// Stopping follows the reverse start order: the acceptor stops first (the
// listener closes, nothing new is accepted, and every connection is told to
// drain: [Conn.ReadFrame] returns [ErrDraining] while writes still work),
// then the connections supervisor gives each connection
// Config.ShutdownTimeout to finish its in-flight work before it kills it.
//
// # Differences from OTP
//
// There is no active-mode socket: the reader reads frames itself rather than
// receiving them as messages, which keeps one goroutine per connection (as a
// goroutine-per-connection server has) instead of two plus a message hop.
//
// # Example
//
//	l, err := transport.Listen(node, transport.Config{
//		Addr: "127.0.0.1:0",
//		Handler: func(ctx context.Context, c *transport.Conn) error {
//			for {
//				frame, err := c.ReadFrame()
//				if err != nil {
//					return nil
//				}
//				c.WriteFrame(frame) // echo
//			}
//		},
//	})
package transport
