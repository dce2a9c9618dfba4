//orchardvet:allow nakedgo this whole file is a deliberate fixture

package allowed

import "github.com/seed-fe72f376/orchard/process"

var _ process.PID

func work() {}

func f() { go work() }
