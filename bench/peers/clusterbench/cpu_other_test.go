//go:build !unix

package clusterbench

import "time"

// cpuTime returns 0: this system gives no process CPU time here.
func cpuTime() time.Duration { return 0 }
