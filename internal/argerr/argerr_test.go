package argerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestError(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", argerr.Nil("process: Node.Send", "dest"))
	if !errors.Is(err, argerr.ErrInvalidArgument) {
		t.Fatalf("errors.Is(%v, ErrInvalidArgument) = false; want true", err)
	}
	var ae *argerr.Error
	if !errors.As(err, &ae) || ae.Arg != "dest" || ae.Reason != "is nil" {
		t.Fatalf("errors.As(%v) = %+v; want Arg dest, Reason is nil", err, ae)
	}
	if got, want := ae.Error(), "process: Node.Send: invalid argument dest: is nil"; got != want {
		t.Fatalf("Error() = %q; want %q", got, want)
	}
	if errors.Is(errors.New("other"), argerr.ErrInvalidArgument) {
		t.Fatal("an unrelated error matches ErrInvalidArgument")
	}
	if got := argerr.Empty("registry: Register", "key").Error(); got != "registry: Register: invalid argument key: is empty" {
		t.Fatalf("Empty().Error() = %q", got)
	}
}

func TestAlso(t *testing.T) {
	sentinel := errors.New("pkg: invalid option")
	err := fmt.Errorf("start: %w", argerr.Also(sentinel, "pkg: WithX", "d", "is negative"))
	if !errors.Is(err, sentinel) || !errors.Is(err, argerr.ErrInvalidArgument) {
		t.Fatalf("Also(...) = %v; want it to match both the sentinel and ErrInvalidArgument", err)
	}
	var ae *argerr.Error
	if !errors.As(err, &ae) || ae.Arg != "d" {
		t.Fatalf("errors.As(%v) = %+v; want the *Error for d", err, ae)
	}
	if got, want := err.Error(), "start: pkg: WithX: invalid argument d: is negative"; got != want {
		t.Fatalf("Error() = %q; want %q", got, want)
	}
	if errors.Is(argerr.Also(sentinel, "a", "b", "c"), errors.New("other")) {
		t.Fatal("Also matches an unrelated error")
	}
}
