package promexport_test

import (
	"bytes"
	"log/slog"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

var quiet = slog.New(slog.DiscardHandler)

// exposition returns the text exposition of the families names gathered
// from g. (client_golang's testutil.GatherAndCompare would do, but its
// diff dependency, github.com/kylelemons/godebug, is not in go.sum.)
func exposition(t *testing.T, g prometheus.Gatherer, names ...string) string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if slices.Contains(names, mf.GetName()) {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b.String()
}
