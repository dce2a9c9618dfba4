package observer

import (
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/send"
	"github.com/seed-fe72f376/orchard/telemetry"
)

// TestLatencyP99Sampled: the chart's p99 samples the whole interval's
// deliveries, not its first few thousand: 5,000 fast deliveries then
// 5,000 slow ones give a slow p99.
func TestLatencyP99Sampled(t *testing.T) {
	tel := telemetry.New()
	c, err := newCharts(tel, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	s := &snapshot{}
	c.sample(s, time.Nanosecond) // opens the interval
	for i := range 10_000 {
		d := 0.001
		if i >= 5000 {
			d = 1
		}
		tel.Execute(send.EventDelivered, telemetry.Measurements{"duration": d}, nil)
	}
	pts := c.sample(s, time.Nanosecond)
	if p99 := pts[len(pts)-1].LatencyP99; p99 != 1000 {
		t.Errorf("p99 %v ms; want 1000 (half the deliveries took 1 s)", p99)
	}
}
