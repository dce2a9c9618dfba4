package app

import (
	"fmt"
	"log/slog"
	"os"
	"time"
)

// DefaultShutdownTimeout bounds a shutdown whose context has no deadline,
// and the shutdown Run performs.
const DefaultShutdownTimeout = 15 * time.Second

// Option configures an [App]. Build options with the With… functions; New
// rejects an invalid one with an *[OptionError].
type Option interface {
	apply(*config) error
}

type config struct {
	logger          *slog.Logger
	shutdownTimeout time.Duration
	signals         <-chan os.Signal // nil: SIGINT and SIGTERM from the OS
	stopHook        func(part string, took time.Duration, err error)
}

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// WithLogger sets where the application logs its start and stop steps
// (default: the node's logger, process.Config.Logger, else slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) error {
		if l == nil {
			return &OptionError{Option: "WithLogger", Reason: "nil logger"}
		}
		c.logger = l
		return nil
	})
}

// WithShutdownTimeout sets how long the shutdown of Run may take, and the
// bound of Stop when its context has no deadline (default
// [DefaultShutdownTimeout]).
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return &OptionError{Option: "WithShutdownTimeout", Reason: fmt.Sprintf("duration %v is not positive", d)}
		}
		c.shutdownTimeout = d
		return nil
	})
}

// WithSignals makes Run stop on any value received from ch instead of
// on SIGINT and SIGTERM from the operating system; Run then installs no
// signal handler. Tests use it to send a fake SIGTERM.
func WithSignals(ch <-chan os.Signal) Option {
	return optionFunc(func(c *config) error {
		if ch == nil {
			return &OptionError{Option: "WithSignals", Reason: "nil channel"}
		}
		c.signals = ch
		return nil
	})
}

// WithStopHook sets a function called after each part's stop with the
// part's name, how long its stop took, and nil or why it did not stop
// cleanly (an error matching [ErrShutdownTimeout] when it was still
// running when the time ran out). It runs synchronously on the goroutine
// calling Stop and must not block.
func WithStopHook(hook func(part string, took time.Duration, err error)) Option {
	return optionFunc(func(c *config) error {
		if hook == nil {
			return &OptionError{Option: "WithStopHook", Reason: "nil hook"}
		}
		c.stopHook = hook
		return nil
	})
}
