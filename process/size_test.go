package process

import (
	"testing"
	"unsafe"
)

// TestProcLayout: a Proc is allocated for every process, idle or not; 384
// bytes is a Go allocation size class (the next is 416). Within it, the
// three hot groups each keep cache lines of their own (see Proc): what
// senders read (line 0), the mailbox senders write (lines 2-3, the rest
// of line 3 cold) and the owner's batch (line 4). Objects of the 384-byte
// class start on a 64-byte boundary, so offsets are cache lines.
func TestProcLayout(t *testing.T) {
	var p Proc
	line := func(off uintptr) uintptr { return off / 64 }
	end := func(off, size uintptr) uintptr { return line(off + size - 1) }
	if size := unsafe.Sizeof(p); size > 384 {
		t.Fatalf("Proc is %d bytes; keep it within the 384-byte size class", size)
	}
	if end(unsafe.Offsetof(p.wake), unsafe.Sizeof(p.wake)) != 0 {
		t.Errorf("the senders' read group (node … wake) spills past line 0")
	}
	if line(unsafe.Offsetof(p.mb)) != 2 || end(unsafe.Offsetof(p.mb), unsafe.Sizeof(p.mb)) != 3 {
		t.Errorf("the mailbox is not on lines 2-3 (offset %d)", unsafe.Offsetof(p.mb))
	}
	if line(unsafe.Offsetof(p.batch)) != 4 || end(unsafe.Offsetof(p.handled), unsafe.Sizeof(p.handled)) != 4 {
		t.Errorf("the owner's group (batch … handled) is not on line 4 alone")
	}
}
