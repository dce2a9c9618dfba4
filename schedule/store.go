package schedule

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// Record is the stored form of a durable schedule.
type Record struct {
	ID   ID         `json:"id"`
	Kind Kind       `json:"kind"`
	Spec string     `json:"spec"`
	Dest DestRecord `json:"dest"`
	// MsgType is the message's name in the [Codec]; Msg its JSON form.
	MsgType string          `json:"msg_type"`
	Msg     json.RawMessage `json:"msg"`
	// Next is when the schedule was due to fire when the record was
	// written. For an After it is the firing time; Every and Cron
	// compute their next time afresh when reloaded.
	Next   time.Time     `json:"next"`
	Jitter time.Duration `json:"jitter"`
}

// Store keeps the records of durable schedules. The scheduler calls it
// from its own process, one call at a time, with a context bounded by the
// store timeout. Implementations: [NewMemoryStore], [NewKVStore].
type Store interface {
	// Put writes r under r.ID, replacing any record with that id.
	Put(ctx context.Context, r Record) error
	// Delete removes the record with id; a missing record is not an
	// error.
	Delete(ctx context.Context, id ID) error
	// List returns every record. When some records cannot be decoded,
	// it returns the others with a *[BadRecordsError]; any other error
	// fails the scheduler's start.
	List(ctx context.Context) ([]Record, error)
}

// MemoryStore is a [Store] in memory, safe for concurrent use: durable
// across restarts of a scheduler within one program (a supervisor
// restarting it), not across restarts of the program. The zero
// MemoryStore is empty and usable; on a nil *MemoryStore, and for a nil
// ctx or an empty id, every method returns an error matching
// [ErrInvalidArgument].
type MemoryStore struct {
	mu      sync.Mutex // protects records
	records map[ID]Record
}

// checkStoreCall refuses a nil store or ctx.
func checkStoreCall(op string, nilStore bool, ctx context.Context) error {
	if nilStore {
		return invalidOption(op, "receiver", "is nil")
	}
	if ctx == nil {
		return invalidOption(op, "ctx", "is nil")
	}
	return nil
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{records: make(map[ID]Record)} }

// Put stores r.
func (m *MemoryStore) Put(ctx context.Context, r Record) error {
	if err := checkStoreCall("schedule: MemoryStore.Put", m == nil, ctx); err != nil {
		return err
	}
	if r.ID == "" {
		return invalidOption("schedule: MemoryStore.Put", "r.ID", "is empty")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Msg = slices.Clone(r.Msg)
	if m.records == nil { // the zero MemoryStore
		m.records = make(map[ID]Record)
	}
	m.records[r.ID] = r
	return nil
}

// Delete removes the record with id.
func (m *MemoryStore) Delete(ctx context.Context, id ID) error {
	if err := checkStoreCall("schedule: MemoryStore.Delete", m == nil, ctx); err != nil {
		return err
	}
	if id == "" {
		return invalidOption("schedule: MemoryStore.Delete", "id", "is empty")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.records, id)
	return nil
}

// List returns the records ordered by id.
func (m *MemoryStore) List(ctx context.Context) ([]Record, error) {
	if err := checkStoreCall("schedule: MemoryStore.List", m == nil, ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Record, 0, len(m.records))
	for _, r := range m.records {
		r.Msg = slices.Clone(r.Msg)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Record) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
