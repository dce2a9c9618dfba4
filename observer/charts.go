package observer

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/seed-fe72f376/orchard/deadletter"
	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/supervisor"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// Chart series sizes.
const (
	chartPoints      = 120  // samples kept per series
	latencyReservoir = 4096 // latencies sampled per interval for the p99
)

// point is one sample of every series.
type point struct {
	T           int64   `json:"t"` // unix milliseconds
	Processes   int     `json:"processes"`
	RestartsPS  float64 `json:"restarts_ps"`
	Mailbox     int     `json:"mailbox"`
	LatencyP99  float64 `json:"latency_p99_ms"` // confirmed sends (send.EventDelivered "duration")
	DeadLetters float64 `json:"dead_letters_ps"`
}

// charts accumulates telemetry between samples and keeps the series.
type charts struct {
	tel *telemetry.Registry
	id  string

	mu        sync.Mutex
	restarts  int
	letters   int
	latencies []float64
	seen      uint64 // deliveries in the interval
	last      time.Time
	points    []point
}

func newCharts(tel *telemetry.Registry, id string) (*charts, error) {
	c := &charts{tel: tel, id: id, last: time.Now()}
	err := tel.Attach(id, []string{supervisor.EventChildRestarting, deadletter.EventAdded, send.EventDelivered}, c.handle)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (c *charts) close() error { return c.tel.Detach(c.id) }

// handle runs in the emitter's goroutine: a counter or an append, under
// a mutex no one holds long.
func (c *charts) handle(event string, m telemetry.Measurements, _ telemetry.Metadata) {
	c.mu.Lock()
	switch event {
	case supervisor.EventChildRestarting:
		c.restarts++
	case deadletter.EventAdded:
		c.letters++
	case send.EventDelivered:
		// A uniform sample of the interval's latencies (reservoir
		// sampling), not its first ones: a busy interval's late, slow
		// deliveries count as much as its early ones.
		c.seen++
		if len(c.latencies) < latencyReservoir {
			c.latencies = append(c.latencies, m["duration"])
		} else if j := rand.Uint64N(c.seen); j < latencyReservoir {
			c.latencies[j] = m["duration"]
		}
	}
	c.mu.Unlock()
}

// sample closes the current interval with the table's figures, at most
// once per interval (every stream asks), and returns the series.
func (c *charts) sample(s *snapshot, interval time.Duration) []point {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	el := now.Sub(c.last)
	if el >= interval*9/10 || len(c.points) == 0 {
		secs := max(el.Seconds(), 1e-3)
		p := point{T: now.UnixMilli(), Processes: len(s.rows), Mailbox: s.mailbox,
			RestartsPS: float64(c.restarts) / secs, DeadLetters: float64(c.letters) / secs}
		if n := len(c.latencies); n > 0 {
			slices.Sort(c.latencies)
			p.LatencyP99 = c.latencies[min(n-1, n*99/100)] * 1000
		}
		c.restarts, c.letters, c.latencies, c.seen, c.last = 0, 0, c.latencies[:0], 0, now
		c.points = append(c.points, p)
		if len(c.points) > chartPoints {
			c.points = slices.Delete(c.points, 0, len(c.points)-chartPoints)
		}
	}
	return slices.Clone(c.points)
}
