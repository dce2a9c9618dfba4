package process

import (
	"testing"
	"unsafe"
)

// TestProcFitsItsSizeClass: a Proc is allocated for every process, idle
// or not; 512 bytes is a Go allocation size class, and the next one is 576.
// A field that pushes Proc past 512 costs every process 64 bytes.
func TestProcFitsItsSizeClass(t *testing.T) {
	if size := unsafe.Sizeof(Proc{}); size > 512 {
		t.Fatalf("Proc is %d bytes; keep it within the 512-byte size class", size)
	}
}
