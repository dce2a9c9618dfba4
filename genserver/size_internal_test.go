package genserver

import (
	"testing"
	"unsafe"
)

// TestServerSize: every genserver process, and every restart of one,
// allocates a server; 192 bytes is a Go allocation size class (the next
// is 208). In a fresh process every byte allocated costs its share of a
// first-touch page fault, which a supervisor's restarts pay each time.
func TestServerSize(t *testing.T) {
	if size := unsafe.Sizeof(server{}); size > 192 {
		t.Fatalf("server is %d bytes; keep it within the 192-byte size class", size)
	}
}
