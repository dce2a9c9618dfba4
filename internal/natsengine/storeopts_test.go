package natsengine

import "testing"

func TestStoreReplicas(t *testing.T) {
	cases := []struct {
		name string
		opts []StoreOption
		want int
	}{
		{"none", nil, 0},
		{"nil option", []StoreOption{nil}, 0},
		{"below one", []StoreOption{WithReplicas(-2)}, 0},
		{"three", []StoreOption{WithReplicas(3)}, 3},
		{"last wins", []StoreOption{WithReplicas(3), nil, WithReplicas(1)}, 1},
	}
	for _, c := range cases {
		if got := StoreReplicas(c.opts); got != c.want {
			t.Errorf("%s: StoreReplicas = %d; want %d", c.name, got, c.want)
		}
	}
}
