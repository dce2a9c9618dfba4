package genserver_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/seed-fe72f376/orchard/genserver"
	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/process"
)

// oneName is a genserver.Registrar holding a single name, for testing
// WithVia without a registry.
type oneName struct {
	mu     sync.Mutex
	holder process.PID
	inInit bool // whether the name was registered when Init ran
	err    error
}

func (n *oneName) RegisterName(pid process.PID) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return n.err
	}
	if !n.holder.IsZero() {
		return process.ErrNameTaken
	}
	n.holder = pid
	return nil
}

func (n *oneName) Resolve() (process.PID, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.holder.IsZero() {
		return process.PID{}, process.NoProc
	}
	return n.holder, nil
}

func (n *oneName) String() string { return "one" }

// seesName records, in Init, whether its via-name already resolves to it.
type seesName struct{ name *oneName }

func (s seesName) Init(self *genserver.Self) error {
	pid, err := s.name.Resolve()
	s.name.inInit = err == nil && pid == self.PID()
	return nil
}

func TestWithVia(t *testing.T) {
	n := otptest.NewNode(t)
	name := &oneName{}
	pid, err := genserver.Start(n, seesName{name}, genserver.WithVia(name))
	if err != nil {
		t.Fatalf("Start(WithVia) = %v; want nil", err)
	}
	if !name.inInit {
		t.Fatalf("name not registered when Init ran")
	}
	_, err = genserver.Start(n, seesName{&oneName{}}, genserver.WithVia(name))
	var already *genserver.AlreadyStartedError
	if !errors.As(err, &already) || already.PID != pid || already.Name != "one" {
		t.Fatalf("Start(taken) = %v; want *AlreadyStartedError{one, %v}", err, pid)
	}
	broken := &oneName{err: errBoom}
	_, err = genserver.Start(n, seesName{broken}, genserver.WithVia(broken))
	var initErr *genserver.InitError
	if !errors.As(err, &initErr) || !errors.Is(err, errBoom) {
		t.Fatalf("Start(failing registrar) = %v; want *InitError wrapping %v", err, errBoom)
	}
	if _, err := genserver.Start(n, seesName{name}, genserver.WithVia(nil)); !errors.Is(err, genserver.ErrInvalidOption) {
		t.Fatalf("WithVia(nil) = %v; want ErrInvalidOption", err)
	}
	if got := len(n.Processes()); got != 1 {
		t.Fatalf("live processes = %d; want 1 (failed starts leave none)", got)
	}
}
