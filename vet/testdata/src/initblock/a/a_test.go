package a

import (
	"time"

	"github.com/seed-fe72f376/orchard/genserver"
)

// slowInit blocks in Init on purpose, to test a start timeout.
type slowInit struct{}

func (slowInit) Init(s *genserver.Self) error { time.Sleep(time.Hour); return nil }
