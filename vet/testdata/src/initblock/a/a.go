package a

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
)

type connect struct{}

type client struct {
	addr  string
	ready chan struct{}
	conn  net.Conn
	hc    *http.Client
}

func (c *client) Init(s *genserver.Self) error {
	time.Sleep(time.Second)          // want `time.Sleep blocks in Init: never block in Init`
	conn, err := net.Dial("tcp", "") // want `net.Dial blocks in Init`
	c.conn = conn
	var d net.Dialer
	_, _ = d.DialContext(context.Background(), "tcp", c.addr) // want `net.Dialer.DialContext blocks in Init`
	_, _ = http.Get("http://example.invalid")                 // want `http.Get blocks in Init`
	_, _ = c.hc.Do(nil)                                       // want `http.Client.Do blocks in Init`
	<-c.ready                                                 // want `channel receive blocks in Init`
	for range c.ready {                                       // want `range over a channel blocks in Init`
	}
	select { // want `select with no default and no deadline blocks in Init`
	case <-c.ready:
	}
	_, _ = s.Receive(s.Context()) // want `process.Proc.Receive blocks in Init`
	return err
}

// quick does the slow part in HandleContinue.
type quick struct {
	addr  string
	ready chan struct{}
	conn  net.Conn
}

func (q *quick) Init(s *genserver.Self) error {
	select {
	case <-q.ready:
	case <-time.After(time.Second):
	}
	select {
	case <-q.ready:
	case <-s.Context().Done():
	}
	select {
	case <-q.ready:
	default:
	}
	t := time.NewTimer(time.Second)
	select {
	case v, ok := <-q.ready:
		_, _ = v, ok
	case <-t.C:
	}
	_, _ = s.ReceiveTimeout(time.Second)
	go func() { <-q.ready }() // a function literal may run elsewhere: not read
	s.Continue(connect{})
	return nil
}

func (q *quick) HandleContinue(s *genserver.Self, cont any) error {
	conn, err := net.DialTimeout("tcp", q.addr, 5*time.Second)
	q.conn = conn
	time.Sleep(time.Millisecond) // not Init
	return err
}

// notServer's Init is not a genserver's.
type notServer struct{}

func (notServer) Init() { time.Sleep(time.Second) }
