package jsstore

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/seed-fe72f376/orchard/internal/natsengine"
)

// TestDamageCountsEngineLossOnce is a regression test: a loss nats-server
// detected was counted twice by Verify, once from the engine's record of
// it at start (natsengine.LossEngine, copied from the stream state) and
// once from the live stream state, which nats-server keeps for its whole
// run, so DamagedError.Msgs and Bytes were doubled.
func TestDamageCountsEngineLossOnce(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	now := start.Add(time.Hour)
	atStart := natsengine.StreamLoss{Stream: "KV_B", Msgs: 2, Bytes: 300, Seqs: []uint64{5, 6}, How: natsengine.LossEngine, Detected: start}
	counted := natsengine.StreamLoss{Stream: "KV_B", Msgs: 10, Bytes: 1000, How: natsengine.LossCount, Detected: start}
	other := natsengine.StreamLoss{Stream: "KV_OTHER", Msgs: 7, Bytes: 70, How: natsengine.LossCount, Detected: start}
	cases := []struct {
		name       string
		recorded   []natsengine.StreamLoss
		live       *jetstream.LostStreamData
		msgs, byts uint64
		how        string
		detected   time.Time
	}{
		{"nothing", nil, nil, 0, 0, "", time.Time{}},
		{"other stream only", []natsengine.StreamLoss{other}, nil, 0, 0, "", time.Time{}},
		{"recorded at start and still live", []natsengine.StreamLoss{atStart}, &jetstream.LostStreamData{Msgs: []uint64{5, 6}, Bytes: 300},
			2, 300, "engine", start},
		{"live grew during the run", []natsengine.StreamLoss{atStart}, &jetstream.LostStreamData{Msgs: []uint64{5, 6, 9}, Bytes: 420},
			3, 420, "engine", start},
		{"live only (a store of OpenJetStream)", nil, &jetstream.LostStreamData{Msgs: []uint64{1}, Bytes: 40},
			1, 40, "engine", now},
		{"count and engine", []natsengine.StreamLoss{counted, atStart, other}, &jetstream.LostStreamData{Msgs: []uint64{5, 6}, Bytes: 300},
			12, 1300, "count,engine", start},
		{"empty live state", []natsengine.StreamLoss{counted}, &jetstream.LostStreamData{}, 10, 1000, "count", start},
		{"unknown stream", []natsengine.StreamLoss{{Stream: "?", How: "engine: unreadable orchard.losses.json", Detected: start}}, nil,
			0, 0, "engine: unreadable orchard.losses.json", start},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dmg := damage("B", tc.recorded, tc.live, now)
			if tc.how == "" {
				if dmg != nil {
					t.Fatalf("damage() = %+v; want nil", dmg)
				}
				return
			}
			if dmg == nil {
				t.Fatalf("damage() = nil; want %d records, %d bytes (%s)", tc.msgs, tc.byts, tc.how)
			}
			if dmg.Bucket != "B" || dmg.Msgs != tc.msgs || dmg.Bytes != tc.byts || dmg.How != tc.how || !dmg.Detected.Equal(tc.detected) {
				t.Errorf("damage() = %+v; want B, %d records, %d bytes, how %q, detected %v", dmg, tc.msgs, tc.byts, tc.how, tc.detected)
			}
		})
	}
}
