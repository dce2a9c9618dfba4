package genserver

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/seed-fe72f376/orchard/internal/argerr"
	"github.com/seed-fe72f376/orchard/internal/rt"
	"github.com/seed-fe72f376/orchard/process"
)

// DefaultInitTimeout bounds Init when neither [WithInitTimeout] nor a
// context deadline ([WithContext]) says otherwise.
const DefaultInitTimeout = 5 * time.Second

// StartOption configures [Start] and [StartLink].
type StartOption interface {
	// applyStart returns c with the option applied. The config goes by
	// value, so a start keeps it on the stack: an option with a value
	// receiver (WithInlineInit) allocates nothing.
	applyStart(c startConfig) (startConfig, error)
}

type startConfig struct {
	name        string
	via         Registrar
	initTimeout time.Duration
	ctx         context.Context
	spawn       []process.SpawnOption
	logger      *slog.Logger
	inline      bool
	// handleAbandoned is HandleAbandoned: OTP-exact, no request dropped.
	handleAbandoned bool
	admission       *Admission // WithAdmission; nil: no bound
}

type startOption func(*startConfig) error

func (f startOption) applyStart(c startConfig) (startConfig, error) {
	err := f(&c)
	return c, err
}

// WithName registers the server under a local name before Init runs. If
// the name is taken, Start returns an *[AlreadyStartedError] with the
// holder's PID.
func WithName(name string) StartOption {
	return startOption(func(c *startConfig) error {
		if name == "" {
			return argerr.Empty("genserver: WithName", "name")
		}
		c.name = name
		return nil
	})
}

// WithVia names the server through a registry (for example registry.Via)
// before Init runs, as OTP registers a {via, Module, Name} name before
// init. If the name is taken (RegisterName's error matches
// process.ErrNameTaken), Start returns an *[AlreadyStartedError] with the
// holder's PID, once the new process is gone; another registration error
// fails Start as an *[InitError]. The name is released when the server
// dies, by the registry.
func WithVia(name Registrar) StartOption {
	return startOption(func(c *startConfig) error {
		if name == nil {
			return argerr.Nil("genserver: WithVia", "name")
		}
		c.via = name
		return nil
	})
}

// WithInitTimeout bounds how long Start waits for Init. On timeout the
// process is killed and Start returns an error matching [ErrTimeout].
func WithInitTimeout(d time.Duration) StartOption {
	return startOption(func(c *startConfig) error {
		if d <= 0 {
			return argerr.New("genserver: WithInitTimeout", "d", "must be positive, got "+d.String())
		}
		c.initTimeout = d
		return nil
	})
}

// WithInlineInit makes the calling goroutine run Init itself before
// Start returns, instead of handing the new process to a pooled worker and
// waiting for it: two goroutine switches fewer per start, which is what a
// supervisor starting many children wants. The price: Init cannot be
// timed out (WithInitTimeout and WithContext do not apply), so a hanging
// Init hangs the caller, as an OTP start_link does by default.
func WithInlineInit() StartOption { return inlineInit{} }

// inlineInit is WithInlineInit's option, a plain value.
type inlineInit struct{}

func (inlineInit) applyStart(c startConfig) (startConfig, error) {
	c.inline = true
	return c, nil
}

// WithContext bounds Start by ctx as well as by the init timeout.
func WithContext(ctx context.Context) StartOption {
	return startOption(func(c *startConfig) error {
		if ctx == nil {
			return argerr.Nil("genserver: WithContext", "ctx")
		}
		c.ctx = ctx
		return nil
	})
}

// WithSpawnOptions passes options to the process spawn (for example a
// bounded mailbox, or TrapExits). An option the spawn rejects makes Start
// fail with an error matching both [ErrInvalidOption] and
// process.ErrInvalidOption.
func WithSpawnOptions(opts ...process.SpawnOption) StartOption {
	return startOption(func(c *startConfig) error {
		c.spawn = append(c.spawn, opts...)
		return nil
	})
}

// WithLogger makes the server log an error report through l when it
// terminates with a reason other than normal or shutdown (OTP's "Generic
// server terminating" report). By default nothing is logged; a nil l is
// bad input.
func WithLogger(l *slog.Logger) StartOption {
	return startOption(func(c *startConfig) error {
		if l == nil {
			return argerr.Nil("genserver: WithLogger", "l")
		}
		c.logger = l
		return nil
	})
}

// Start starts srv in a new process on node, with no parent, and returns
// once Init has run. It returns Init's error (as an *[InitError]),
// [ErrIgnored], an *[AlreadyStartedError], or an error matching
// [ErrTimeout] when Init did not finish in time (the process is then
// killed; a [WithContext] context that is cancelled gives its error
// instead). When Init failed or ignored, Start returns once the process is
// dead.
func Start(node *process.Node, srv Server, opts ...StartOption) (process.PID, error) {
	if node == nil {
		return process.PID{}, argerr.Nil("genserver: Start", "node")
	}
	return start(node, nil, srv, opts, false)
}

// StartLink starts srv as a child of parent, linked to it, and returns
// once Init has run (gen_server:start_link). See [Start] for the results.
// If Init fails, the link is removed first, so a parent that does not trap
// exits survives (the OTP 26 behaviour).
func StartLink(parent *process.Proc, srv Server, opts ...StartOption) (process.PID, error) {
	if parent == nil {
		return process.PID{}, argerr.Nil("genserver: StartLink", "parent")
	}
	return start(parent.Node(), parent, srv, opts, true)
}

// startOp names the start function in a bad-input error.
func startOp(link bool) string {
	if link {
		return "genserver: StartLink"
	}
	return "genserver: Start"
}

func start(node *process.Node, parent *process.Proc, srv Server, opts []StartOption, link bool) (process.PID, error) {
	if srv == nil {
		return process.PID{}, argerr.Nil(startOp(link), "srv")
	}
	cfg, err := startOptions(opts, link)
	if err != nil {
		return process.PID{}, err
	}
	w := newInitWait(initWaitPool(node), cfg.inline)
	w.via = cfg.via
	g := &server{srv: srv, link: link, wait: w, dropAbandoned: !cfg.handleAbandoned}
	if cfg.logger != nil || cfg.admission != nil {
		g.extras = &extras{logger: cfg.logger}
		if cfg.admission != nil {
			g.extras.admit = &admission{Admission: *cfg.admission}
		}
	}
	sopts := spawnOptions(cfg, link)
	var pid process.PID
	if parent != nil {
		pid, err = parent.SpawnHandler(g, sopts...)
	} else {
		pid, err = node.SpawnHandler(g, sopts...)
	}
	if err != nil {
		if errors.Is(err, process.ErrNameTaken) {
			holder, _ := node.WhereIs(cfg.name)
			return process.PID{}, &AlreadyStartedError{Name: cfg.name, PID: holder}
		}
		// A rejected spawn option is returned as is: it already matches
		// ErrInvalidArgument (and so ErrInvalidOption, the same value).
		return process.PID{}, err
	}
	if err := awaitInit(node, parent, pid, w, cfg); err != nil {
		return process.PID{}, err
	}
	return pid, nil
}

// startOptions applies opts to the defaults. It allocates nothing for no
// options or value options (WithInlineInit); a closure option applies
// itself to a heap copy of the config.
func startOptions(opts []StartOption, link bool) (startConfig, error) {
	cfg := startConfig{initTimeout: DefaultInitTimeout, ctx: context.Background()}
	if len(opts) == 0 {
		return cfg, nil
	}
	return applyStartOptions(cfg, opts, link)
}

func applyStartOptions(cfg startConfig, opts []StartOption, link bool) (startConfig, error) {
	for i, o := range opts {
		if o == nil {
			return cfg, argerr.Nil(startOp(link), "opts["+strconv.Itoa(i)+"]")
		}
		var err error
		if cfg, err = o.applyStart(cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

var (
	asGenServer        = rt.Behaviour("genserver")
	plainOptions       = []process.SpawnOption{asGenServer}
	linkOptions        = []process.SpawnOption{asGenServer, process.Linked()}
	inlinePlainOptions = []process.SpawnOption{asGenServer, rt.StartInline()}
	inlineLinkOptions  = []process.SpawnOption{asGenServer, process.Linked(), rt.StartInline()}
)

// spawnOptions builds the process options; the common cases share
// read-only slices so a start allocates nothing for them.
func spawnOptions(cfg startConfig, link bool) []process.SpawnOption {
	if cfg.name == "" && len(cfg.spawn) == 0 {
		switch {
		case link && cfg.inline:
			return inlineLinkOptions
		case link:
			return linkOptions
		case cfg.inline:
			return inlinePlainOptions
		}
		return plainOptions
	}
	sopts := append([]process.SpawnOption{asGenServer}, cfg.spawn...)
	if cfg.name != "" {
		sopts = append(sopts, process.WithName(cfg.name))
	}
	if cfg.inline {
		sopts = append(sopts, rt.StartInline())
	}
	if link {
		sopts = append(sopts, process.Linked())
	}
	return sopts
}

func awaitInit(node *process.Node, parent *process.Proc, pid process.PID, w *initWait, cfg startConfig) error {
	ack := w.ch
	if cfg.inline {
		// Init ran on this goroutine: its outcome is already there.
		if w.state.Load() != waitAcked {
			return &InitError{Reason: process.NoProc} // killed before Init ran
		}
		err := w.err
		w.recycle()
		return err
	}
	rt.StartDeadline(node, &w.dl, cfg.initTimeout, w)
	reason := ErrTimeout
	// The wait also ends when the parent dies (killed while it waits, by a
	// supervisor's shutdown timeout say). A dead process does nothing
	// more: it neither unlinks nor kills the child, whose link to it
	// delivers the exit signal, as in OTP, where the parent is gone.
	var parentDone <-chan struct{}
	if parent != nil {
		parentDone = parent.Done()
	}
	ctxDone := cfg.ctx.Done()
	if ctxDone == nil && parentDone == nil {
		<-ack
	} else {
		select {
		case <-ack:
		case <-ctxDone:
			if w.state.CompareAndSwap(waitPending, waitExpired) {
				if err := cfg.ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
					reason = errors.Join(ErrTimeout, err)
				} else {
					reason = err // cancelled: not a timeout
				}
			} else {
				<-ack // Init or the timeout won the race: take its wake-up
			}
		case <-parentDone:
			if w.state.CompareAndSwap(waitPending, waitExpired) {
				rt.StopDeadline(node, &w.dl)
				return &InitError{Reason: parent.Reason()}
			}
			<-ack // Init or the timeout won the race: take its wake-up
		}
	}
	unregistered := rt.StopDeadline(node, &w.dl)
	if w.state.Load() == waitAcked {
		initErr := w.err // read before recycle hands w on
		if unregistered {
			w.recycle() // acked, its wake-up taken and no Expire to come
		}
		if initErr != nil {
			// As proc_lib since OTP 26, a failed start returns once the
			// process is gone: it exits right after the ack, on its own
			// goroutine, so this wait is short.
			if t, err := rt.LookupOn(node, pid); err == nil {
				<-t.Done()
			}
		}
		return initErr
	}
	if parent != nil {
		parent.Unlink(pid)
	}
	_ = node.Exit(pid, process.Kill)
	return &InitError{Reason: reason}
}
