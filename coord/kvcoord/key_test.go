package kvcoord

import (
	"regexp"
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

// validKey is nats.go's rule for KV keys.
var validKey = regexp.MustCompile(`\A[-/_=\.a-zA-Z0-9]+\z`)

// TestKVKey: every coord key maps to a valid KV key, valid keys are
// kept readable, and distinct keys stay distinct.
func TestKVKey(t *testing.T) {
	keys := []string{"lock.job", "leader.svc", "lock.a b", "lock.", ".x", "a..b", "x.6162", "lock.été", "lock.*", "lock.>"}
	seen := map[string]string{}
	for _, k := range keys {
		got := kvKey(k)
		if !validKey.MatchString(got) || got[0] == '.' || got[len(got)-1] == '.' {
			t.Errorf("kvKey(%q) = %q: not a valid KV key", k, got)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("kvKey(%q) = kvKey(%q) = %q", k, prev, got)
		}
		seen[got] = k
	}
	if got := kvKey("lock.job"); got != "lock.job" {
		t.Errorf("kvKey(lock.job) = %q; want it unchanged", got)
	}
}
