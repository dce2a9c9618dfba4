package genserver

import (
	"testing"
	"unsafe"
)

// TestServerSize: every genserver process, and every restart of one,
// allocates a server; 320 bytes is a Go allocation size class (the next
// is 352).
func TestServerSize(t *testing.T) {
	if size := unsafe.Sizeof(server{}); size > 320 {
		t.Fatalf("server is %d bytes; keep it within the 320-byte size class", size)
	}
}
