//go:build unix

package clusterbench

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) this process used so
// far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
