package supervisor

import (
	"time"

	"github.com/seed-fe72f376/orchard/internal/restartwin"
)

// restartWindow is the supervisor's restart intensity: the window of
// internal/restartwin, which the cluster's distributed supervisor
// shares, so that both give up alike.
type restartWindow struct{ restartwin.Window }

func (w *restartWindow) init(max int, period time.Duration) { w.Init(max, period) }

// add records a restart at now and reports whether the intensity is
// still respected (OTP's add_restart).
func (w *restartWindow) add(now time.Time) bool { return w.Add(now) }
