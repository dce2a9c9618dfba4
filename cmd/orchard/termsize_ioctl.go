//go:build linux || darwin

package main

import (
	"os"
	"syscall"
	"unsafe"
)

// ttyColumns returns the column count of the terminal f, through the
// TIOCGWINSZ ioctl (no dependency beyond syscall), or 0.
func ttyColumns(f *os.File) int {
	var ws struct{ row, col, xpixel, ypixel uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.col)
}
