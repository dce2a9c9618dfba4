package coord

import (
	"context"
	"sync"
	"time"
)

// Lease is one owner's hold on a key in a [Backend].
type Lease struct {
	// Key is the leased key.
	Key string
	// Owner is the holder's identity as given to Acquire.
	Owner string
	// Token is the fencing token: fixed for the life of the lease, and
	// larger than the token of every earlier lease on any key of the
	// backend, so a later holder always has a larger token.
	Token uint64
	// Revision is the backend's version of the lease, which changes at
	// every renewal; Renew and Release compare it (compare-and-set).
	Revision uint64
	// TTL is the lease's duration: without a renewal within TTL, the
	// key is free again.
	TTL time.Duration
}

// Backend is where leases live: the one interface behind which the
// in-node store ([NewMemoryBackend]) and the JetStream key-value store
// (package coord/kvcoord) sit. Its methods are safe from any
// goroutine and bounded by ctx.
type Backend interface {
	// Acquire leases key to owner for ttl if nobody holds it
	// (create-if-absent). A held key gives a *HeldError.
	Acquire(ctx context.Context, key, owner string, ttl time.Duration) (Lease, error)
	// Renew extends l for another l.TTL if it is still the key's
	// current lease (compare-and-set on l.Revision), returning the
	// renewed lease; else it fails with ErrLeaseLost.
	Renew(ctx context.Context, l Lease) (Lease, error)
	// Release frees the key if l is still its current lease; else it
	// fails with ErrLeaseLost (and changes nothing).
	Release(ctx context.Context, l Lease) error
	// Holder returns the key's current lease, or ErrNotHeld.
	Holder(ctx context.Context, key string) (Lease, error)
}

// MemoryBackend is the in-node [Backend]: a table in memory, shared by
// the coordinators of one OS process that are given it. Tokens come
// from one counter, so they grow across keys and holders. Leases expire
// by the clock (time.Now), checked at each use. A nil *MemoryBackend
// returns an error matching [ErrInvalidArgument] from every method.
type MemoryBackend struct {
	mu     sync.Mutex
	seq    uint64
	leases map[string]memLease
}

type memLease struct {
	Lease
	expires time.Time
}

// NewMemoryBackend returns an empty in-node backend.
func NewMemoryBackend() *MemoryBackend {
	return &MemoryBackend{leases: map[string]memLease{}}
}

func checkLeaseArgs(op string, ctx context.Context, key string) error {
	switch {
	case ctx == nil:
		return isNil(op, "ctx")
	case key == "":
		return empty(op, "key")
	}
	return nil
}

func (b *MemoryBackend) check(op string, ctx context.Context, key string) error {
	if b == nil {
		return isNil(op, "receiver")
	}
	if err := checkLeaseArgs(op, ctx, key); err != nil {
		return err
	}
	return ctx.Err()
}

// currentLocked returns key's live lease, dropping an expired one.
func (b *MemoryBackend) currentLocked(key string) (memLease, bool) {
	l, ok := b.leases[key]
	if ok && !time.Now().Before(l.expires) {
		delete(b.leases, key)
		return memLease{}, false
	}
	return l, ok
}

// Acquire implements [Backend].
func (b *MemoryBackend) Acquire(ctx context.Context, key, owner string, ttl time.Duration) (Lease, error) {
	const op = "coord: MemoryBackend.Acquire"
	if err := b.check(op, ctx, key); err != nil {
		return Lease{}, err
	}
	if owner == "" {
		return Lease{}, empty(op, "owner")
	}
	if ttl <= 0 {
		return Lease{}, invalid(op, "ttl", "must be positive")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.currentLocked(key); ok {
		return Lease{}, &HeldError{Key: key, Owner: cur.Owner, Token: cur.Token}
	}
	b.seq++
	l := Lease{Key: key, Owner: owner, Token: b.seq, Revision: b.seq, TTL: ttl}
	b.leases[key] = memLease{Lease: l, expires: time.Now().Add(ttl)}
	return l, nil
}

// Renew implements [Backend].
func (b *MemoryBackend) Renew(ctx context.Context, l Lease) (Lease, error) {
	if err := b.check("coord: MemoryBackend.Renew", ctx, l.Key); err != nil {
		return Lease{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.currentLocked(l.Key)
	if !ok || cur.Revision != l.Revision {
		return Lease{}, ErrLeaseLost
	}
	b.seq++
	cur.Revision = b.seq
	cur.expires = time.Now().Add(cur.TTL)
	b.leases[l.Key] = cur
	return cur.Lease, nil
}

// Release implements [Backend].
func (b *MemoryBackend) Release(ctx context.Context, l Lease) error {
	if err := b.check("coord: MemoryBackend.Release", ctx, l.Key); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.currentLocked(l.Key)
	if !ok || cur.Revision != l.Revision {
		return ErrLeaseLost
	}
	delete(b.leases, l.Key)
	return nil
}

// Holder implements [Backend].
func (b *MemoryBackend) Holder(ctx context.Context, key string) (Lease, error) {
	if err := b.check("coord: MemoryBackend.Holder", ctx, key); err != nil {
		return Lease{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.currentLocked(key)
	if !ok {
		return Lease{}, ErrNotHeld
	}
	return cur.Lease, nil
}

// Fence is the guard a protected resource keeps: it remembers the
// largest fencing token it has accepted and refuses older ones, so a
// write from a holder whose lease has passed to someone else (who got a
// larger token) is detected. It is safe from any goroutine; the zero
// Fence accepts any first token.
type Fence struct {
	mu     sync.Mutex
	latest uint64
}

// Check accepts token if it is at least the largest token accepted so
// far (and remembers it), or returns a *StaleTokenError (matching
// [ErrStaleToken]). Token 0 is never valid (no lease has it). A nil
// *Fence returns an error matching [ErrInvalidArgument].
func (f *Fence) Check(token uint64) error {
	const op = "coord: Fence.Check"
	if f == nil {
		return isNil(op, "receiver")
	}
	if token == 0 {
		return invalid(op, "token", "is zero; tokens start at 1")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if token < f.latest {
		return &StaleTokenError{Token: token, Latest: f.latest}
	}
	f.latest = token
	return nil
}
