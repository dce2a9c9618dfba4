package genserver

import (
	"testing"
	"unsafe"
)

// TestServerSize: every genserver process, and every restart of one,
// allocates a server; 240 bytes is a Go allocation size class (the next
// is 256).
func TestServerSize(t *testing.T) {
	if size := unsafe.Sizeof(server{}); size > 240 {
		t.Fatalf("server is %d bytes; keep it within the 240-byte size class", size)
	}
}
