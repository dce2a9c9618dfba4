package natsengine

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Cluster says how an embedded server joins the servers of other nodes:
// it listens for routes on Host:Port and connects to the Routes of the
// others (nats-server's cluster block). Package cluster fills it in; it
// checks that a non-loopback listener has authentication.
type Cluster struct {
	// Name is the NATS cluster name, the same on every node ("orchard"
	// when empty).
	Name string
	// Host and Port are the route listener (Port -1 picks a free port).
	Host string
	Port int
	// Routes are the route URLs of the other nodes' servers
	// (nats-route://host:port); credentials are added from User and
	// Password when a URL has none.
	Routes []string
	// User and Password authenticate routes, both ways.
	User, Password string
	// TLS secures routes; nil: plain TCP.
	TLS *tls.Config
	// PingInterval is how often a route is pinged (zero: nats-server's
	// default, two minutes).
	PingInterval time.Duration
}

// ClientAuth authenticates and secures the connection to an external
// NATS server ([NodeConfig.URL]).
type ClientAuth struct {
	User, Password string
	// NKeySeedFile is a file holding an nkey user seed.
	NKeySeedFile string
	// CredsFile is a NATS credentials file (JWT and seed).
	CredsFile string
	// TLS secures the connection; nil: as the URL says.
	TLS *tls.Config
}

// options returns the nats.go options for a.
func (a *ClientAuth) options() ([]nats.Option, error) {
	if a == nil {
		return nil, nil
	}
	var opts []nats.Option
	if a.User != "" {
		opts = append(opts, nats.UserInfo(a.User, a.Password))
	}
	if a.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(a.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("%w: nkey seed: %w", ErrInvalidConfig, err)
		}
		opts = append(opts, o)
	}
	if a.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	}
	if a.TLS != nil {
		opts = append(opts, nats.Secure(a.TLS))
	}
	return opts, nil
}

// apply sets the cluster block and the routes of opts.
func (c *Cluster) apply(opts *server.Options) error {
	if c == nil {
		return nil
	}
	name := c.Name
	if name == "" {
		name = "orchard"
	}
	opts.Cluster = server.ClusterOpts{
		Name:         name,
		Host:         c.Host,
		Port:         c.Port,
		Username:     c.User,
		Password:     c.Password,
		TLSConfig:    c.TLS,
		PingInterval: c.PingInterval,
		NoAdvertise:  true,
	}
	if c.TLS != nil {
		opts.Cluster.TLSTimeout = 2
	}
	if opts.DontListen {
		// nats-server starts routing only once its client listener is
		// ready: a clustered server needs one, on loopback.
		opts.DontListen, opts.Host, opts.Port = false, "127.0.0.1", -1
	}
	routes := c.Routes
	if len(routes) == 0 {
		// JetStream in a cluster needs at least one route: a first node
		// lists itself (nats-server ignores a route to itself), which
		// needs its port known before it starts.
		if opts.Cluster.Port <= 0 {
			port, err := freePort(c.Host)
			if err != nil {
				return err
			}
			opts.Cluster.Port = port
		}
		routes = []string{"nats-route://" + net.JoinHostPort(c.Host, strconv.Itoa(opts.Cluster.Port))}
	}
	for _, r := range routes {
		u, err := url.Parse(strings.TrimSpace(r))
		if err != nil || u.Host == "" {
			return fmt.Errorf("%w: route URL %q", ErrInvalidConfig, r)
		}
		if u.User == nil && c.User != "" {
			u.User = url.UserPassword(c.User, c.Password)
		}
		opts.Routes = append(opts.Routes, u)
	}
	return nil
}

// freePort returns a TCP port free on host now.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("%w: route listener on %s: %w", ErrInvalidConfig, host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
