package cluster

import (
	"crypto/tls"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
)

// Defaults of [Config]'s zero values.
const (
	// DefaultHeartbeat is how often a node tells the others it lives.
	DefaultHeartbeat = 200 * time.Millisecond
	// DefaultDownAfter is how long a node may stay silent before the
	// others declare it down: with the default heartbeat and check
	// period, a killed or frozen node is declared down within 1.5 s.
	DefaultDownAfter = time.Second
	// DefaultListen is the route listener: loopback, a free port.
	DefaultListen = "127.0.0.1:-1"
	// DefaultClusterName names the NATS cluster.
	DefaultClusterName = "orchard"
)

// Config describes one node of a cluster. Name is required and unique in
// the cluster; so is one of Dir (an embedded NATS server, the default way
// to cluster) and URL (an external NATS cluster). Every other zero value
// means the documented default.
type Config struct {
	// Name names the node in the cluster (OTP's node name). The node's
	// number, which every PID of it carries, derives from it.
	Name string
	// Dir is the embedded server's JetStream data directory.
	Dir string
	// URL is an external NATS server (or cluster) with JetStream, instead
	// of an embedded server; Listen and Routes then do not apply.
	URL string
	// Listen is the embedded server's route listener, host:port (port -1
	// picks a free one; [Node.RouteURL] says which). Default
	// [DefaultListen]. A non-loopback host requires User and Password.
	Listen string
	// Routes are the route URLs of other nodes (nats-route://host:port),
	// the seed list; one reachable node is enough to join.
	Routes []string
	// ClusterName names the NATS cluster; the same on every node. Default
	// [DefaultClusterName].
	ClusterName string
	// User and Password authenticate routes between embedded servers, or
	// this node to the external server at URL.
	User, Password string
	// NKeySeedFile and CredsFile authenticate to the external server at
	// URL with an nkey seed or a credentials file.
	NKeySeedFile, CredsFile string
	// TLS secures routes (embedded) or the connection to URL.
	TLS *tls.Config
	// Heartbeat is the heartbeat period. Default [DefaultHeartbeat].
	Heartbeat time.Duration
	// DownAfter is the silence after which a node is declared down.
	// Default [DefaultDownAfter]; it must exceed Heartbeat.
	DownAfter time.Duration
	// Replicas is the replica count of the cluster's KV buckets
	// (members, registry, leases, fences). Zero: three when three nodes
	// are up when a bucket is made, else one. Set it to 3 on a cluster
	// of three or more nodes, so that a bucket never lives on one server
	// alone (operations wait until three servers are up).
	Replicas int
	// Codec encodes messages between nodes. Default [JSON].
	Codec Codec
	// ServerLogger receives the embedded NATS server's log; nil: quiet.
	ServerLogger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.ClusterName == "" {
		c.ClusterName = DefaultClusterName
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.DownAfter == 0 {
		c.DownAfter = DefaultDownAfter
	}
	if c.Codec == nil {
		c.Codec = JSON
	}
	return c
}

// validate checks a Config with its defaults applied.
func (c Config) validate() (host string, port int, err error) {
	const op = "cluster: Start"
	switch {
	case c.Name == "":
		return "", 0, argerr.Empty(op, "cfg.Name")
	case c.Dir == "" && c.URL == "":
		return "", 0, argerr.New(op, "cfg", "sets neither Dir nor URL")
	case c.Dir != "" && c.URL != "":
		return "", 0, argerr.New(op, "cfg", "sets both Dir and URL")
	case c.Heartbeat < 0:
		return "", 0, argerr.New(op, "cfg.Heartbeat", "is negative")
	case c.DownAfter <= c.Heartbeat:
		return "", 0, argerr.New(op, "cfg.DownAfter", "must exceed cfg.Heartbeat")
	case c.Replicas < 0:
		return "", 0, argerr.New(op, "cfg.Replicas", "is negative")
	case c.Password != "" && c.User == "":
		return "", 0, argerr.New(op, "cfg.Password", "is set without cfg.User")
	}
	if c.URL != "" {
		return "", 0, nil
	}
	h, p, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return "", 0, argerr.New(op, "cfg.Listen", "is not host:port: "+err.Error())
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, argerr.New(op, "cfg.Listen", "has a bad port "+strconv.Quote(p))
	}
	if !loopback(h) && c.User == "" {
		return "", 0, &InsecureError{Host: h}
	}
	return h, port, nil
}

// loopback reports whether host names only the loopback interface.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
