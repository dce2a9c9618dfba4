package deadletter

import (
	"context"
	"reflect"
	"sync"
)

// Store keeps entries. It is the whole persistence contract of a [Queue]:
// [MemoryStore] keeps them in memory, package deadletter/jsstore's Store
// in a NATS JetStream key-value bucket on disk. Implementations must be safe for concurrent
// use and must return only once a write is acknowledged by the storage.
type Store interface {
	// Put stores e under e.ID, replacing any entry with that id.
	Put(ctx context.Context, e Entry) error
	// Get returns the entry with the id or an error matching [ErrNotFound].
	Get(ctx context.Context, id string) (Entry, error)
	// Delete removes the entry with the id; removing an absent entry is
	// not an error.
	Delete(ctx context.Context, id string) error
	// Scan calls fn for every entry, in no particular order, until fn
	// returns false. A record it cannot decode is skipped, not fatal:
	// Scan goes on and finally returns a *[CorruptError] listing the
	// skipped records (unless another error stopped it).
	Scan(ctx context.Context, fn func(Entry) bool) error
	// Close releases the store; later calls fail with [ErrClosed].
	Close() error
}

// MemoryStore is a [Store] in memory, for tests and for applications that
// do not need dead letters to survive a restart. The zero value is not
// usable; build one with [NewMemoryStore].
type MemoryStore struct {
	mu      sync.Mutex // protects the fields below
	entries map[string]Entry
	closed  bool
}

var _ Store = (*MemoryStore)(nil)

// checkStoreCall returns the error of a package-level call op on a nil
// store or with a nil ctx, or nil.
func checkStoreCall(op string, store Store, ctx context.Context) error {
	if store == nil || isNilStore(store) {
		return badArg(op, "store", "is nil")
	}
	return checkCall(op, false, ctx)
}

// isNilStore reports whether s holds a nil pointer: a typed nil store
// (a nil *MemoryStore, a nil *jsstore.Store) is bad input, like a nil
// interface.
func isNilStore(s Store) bool {
	v := reflect.ValueOf(s)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{entries: map[string]Entry{}} }

// Put stores a copy of e.
func (s *MemoryStore) Put(ctx context.Context, e Entry) error {
	if err := checkCall("MemoryStore.Put", s == nil, ctx); err != nil {
		return err
	}
	if e.ID == "" {
		return badArg("MemoryStore.Put", "e.ID", "is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.entries[e.ID] = e.clone()
	return nil
}

// Get returns a copy of the entry with the id.
func (s *MemoryStore) Get(ctx context.Context, id string) (Entry, error) {
	if err := checkCall("MemoryStore.Get", s == nil, ctx); err != nil {
		return Entry{}, err
	}
	if id == "" {
		return Entry{}, badArg("MemoryStore.Get", "id", "is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Entry{}, ErrClosed
	}
	e, ok := s.entries[id]
	if !ok {
		return Entry{}, ErrNotFound
	}
	return e.clone(), nil
}

// Delete removes the entry with the id.
func (s *MemoryStore) Delete(ctx context.Context, id string) error {
	if err := checkCall("MemoryStore.Delete", s == nil, ctx); err != nil {
		return err
	}
	if id == "" {
		return badArg("MemoryStore.Delete", "id", "is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	delete(s.entries, id)
	return nil
}

// Scan calls fn with a copy of each entry. fn runs without the store's
// lock held, on a snapshot taken when Scan starts.
func (s *MemoryStore) Scan(ctx context.Context, fn func(Entry) bool) error {
	if err := checkCall("MemoryStore.Scan", s == nil, ctx); err != nil {
		return err
	}
	if fn == nil {
		return badArg("MemoryStore.Scan", "fn", "is nil")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	snap := make([]Entry, 0, len(s.entries))
	for _, e := range s.entries {
		snap = append(snap, e.clone())
	}
	s.mu.Unlock()
	for _, e := range snap {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !fn(e) {
			return nil
		}
	}
	return nil
}

// Close empties the store; later calls fail with [ErrClosed].
func (s *MemoryStore) Close() error {
	if s == nil {
		return badArg("MemoryStore.Close", "receiver", "is nil")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed, s.entries = true, nil
	return nil
}
