package process

import (
	"testing"
	"unsafe"
)

// TestProcLayout: a Proc is allocated for every process, idle or not, and
// for every restart of a supervised child; 256 bytes is a Go allocation
// size class (the next is 288). Within it, the three hot groups each keep
// a cache line of their own (see Proc): what senders read (line 0), the
// mailbox senders write (line 1) and the owner's batch (line 2). Objects
// of the 256-byte class start on a 64-byte boundary, so offsets are cache
// lines.
func TestProcLayout(t *testing.T) {
	var p Proc
	line := func(off uintptr) uintptr { return off / 64 }
	end := func(off, size uintptr) uintptr { return line(off + size - 1) }
	if size := unsafe.Sizeof(p); size > 256 {
		t.Fatalf("Proc is %d bytes; keep it within the 256-byte size class", size)
	}
	if end(unsafe.Offsetof(p.wake), unsafe.Sizeof(p.wake)) != 0 {
		t.Errorf("the senders' read group (node … wake) spills past line 0")
	}
	if line(unsafe.Offsetof(p.mb)) != 1 || end(unsafe.Offsetof(p.mb), unsafe.Sizeof(p.mb)) != 1 {
		t.Errorf("the mailbox is not on line 1 (offset %d, %d bytes)", unsafe.Offsetof(p.mb), unsafe.Sizeof(p.mb))
	}
	if line(unsafe.Offsetof(p.batch)) != 2 || end(unsafe.Offsetof(p.handled), unsafe.Sizeof(p.handled)) != 2 {
		t.Errorf("the owner's group (batch … handled) is not on line 2 alone")
	}
	// What other goroutines write (ended, mu, reason, links, more) stays
	// off the owner's line.
	if line(unsafe.Offsetof(p.ended)) < 3 {
		t.Errorf("ended, mu and the fields after them share the owner's line 2 (offset %d)", unsafe.Offsetof(p.ended))
	}
}
