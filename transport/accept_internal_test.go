package transport

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestAcceptRetryable: running out of file descriptors (what Accept
// returns then, wrapped as the net package does) is passing, so the
// acceptor backs off instead of dying; a closed socket is not.
func TestAcceptRetryable(t *testing.T) {
	wrap := func(errno syscall.Errno) error {
		return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
	}
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ECONNABORTED} {
		if !acceptRetryable(wrap(errno)) {
			t.Errorf("%v: not retryable; want a back-off", errno)
		}
	}
	if acceptRetryable(net.ErrClosed) || acceptRetryable(errors.New("other")) {
		t.Error("a closed socket or another error is retryable")
	}
}
