// Package initblock defines an Analyzer that reports blocking work in a
// genserver's Init.
//
// # Analyzer initblock
//
// initblock: report blocking work in a genserver's Init
//
// Start (and a supervisor starting its children) waits for Init: a server
// that sleeps, dials or waits for a message in Init stalls its supervisor's
// whole start sequence, and a slow network turns into a start timeout and
// restarts. OTP's rule is to never block in init: return at once and do the
// slow part in the first message, with Self.Continue and HandleContinue
// (handle_continue), where a failure is an ordinary exit reason.
//
// Reported in the body of an Init(*genserver.Self) error method: time.Sleep;
// network dials (net.Dial, net.DialTimeout, net.Dial{TCP,UDP,IP,Unix},
// (*net.Dialer).Dial and DialContext); HTTP requests (http.Get, Head, Post,
// PostForm and the same methods of *http.Client, with Do); a channel
// receive or a range over a channel outside a select; a select with no
// default and no deadline case (time.After, a Done() channel, a timer's
// C); Proc.Receive and ReceiveMatch (ReceiveTimeout has its bound).
//
//	// WRONG
//	func (c *client) Init(s *genserver.Self) error {
//		conn, err := net.Dial("tcp", c.addr)
//		c.conn = conn
//		return err
//	}
//
//	// RIGHT
//	func (c *client) Init(s *genserver.Self) error { s.Continue(connect{}); return nil }
//	func (c *client) HandleContinue(s *genserver.Self, cont any) error {
//		conn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
//		c.conn = conn
//		return err
//	}
//
// Limits: _test.go files are not checked (tests block in Init on purpose,
// to test start timeouts); only Init's own body is read, not the functions it calls nor the
// function literals it defines (they may run elsewhere). There is no
// suggested fix: what moves to HandleContinue is the author's choice.
//
// # OTP map
//
//	OTP / Erlang                             Orchard rule
//	---------------------------------------  ----------------------------------------
//	init/1 returns quickly                   Init returns quickly
//	{ok, State, {continue, Term}}            s.Continue(term) in Init
//	handle_continue/2                        HandleContinue(s, term)
package initblock
