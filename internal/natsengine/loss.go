package natsengine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// File names under [Config.Dir], beside JetStream's own directory.
const (
	// stateFile records every stream's size at a clean shutdown, and
	// "running" while an engine runs on the directory.
	stateFile = "orchard.state.json"
	// lossFile keeps the losses found at starts until [Engine.ClearLosses].
	lossFile = "orchard.losses.json"
)

// How a [StreamLoss] was found.
const (
	// LossCount: the stream holds fewer messages (or ends at a lower
	// sequence) than when the engine last shut down cleanly, and nothing
	// has written to it since.
	LossCount = "count"
	// LossMissing: a stream recorded at the last clean shutdown is gone.
	LossMissing = "missing"
	// LossEngine: nats-server reported lost data in the stream's state
	// (a torn or corrupt record, a block it could not read).
	LossEngine = "engine"
)

// StreamLoss is data that one stream lost while the engine was stopped,
// found when an engine started on the directory.
type StreamLoss struct {
	// Account and Stream name the stream ("$G" is the account of the
	// in-process connection).
	Account string `json:"account"`
	Stream  string `json:"stream"`
	// Msgs is how many messages are gone, at least; Bytes how many bytes
	// of messages. Either may be zero when only the other is known.
	Msgs  uint64 `json:"msgs"`
	Bytes uint64 `json:"bytes"`
	// Seqs are the lost sequence numbers, when nats-server knows them.
	Seqs []uint64 `json:"seqs,omitempty"`
	// How is [LossCount], [LossMissing] or [LossEngine].
	How string `json:"how"`
	// Detected is when the start that found the loss ran.
	Detected time.Time `json:"detected"`
}

// streamSize is what the state file records of one stream.
type streamSize struct {
	Account string `json:"account"`
	Stream  string `json:"stream"`
	Msgs    uint64 `json:"msgs"`
	Bytes   uint64 `json:"bytes"`
	LastSeq uint64 `json:"last_seq"`
	// Expires is set for a stream whose messages expire (a maximum age,
	// per-message TTLs): only its last sequence is compared.
	Expires bool `json:"expires,omitempty"`
}

// stateRecord is the content of the state file.
type stateRecord struct {
	// Clean is true when written by a Shutdown that stopped the server;
	// an engine writes false when it starts, so a crash leaves false.
	Clean   bool         `json:"clean"`
	Written time.Time    `json:"written"`
	Streams []streamSize `json:"streams,omitempty"`
}

// streamSizes reads the size of every stream of srv, with the loss
// nats-server reports in its state.
func streamSizes(srv *server.Server) ([]streamSize, []StreamLoss, error) {
	info, err := srv.Jsz(&server.JSzOptions{Accounts: true, Streams: true, Config: true, Limit: 1 << 16})
	if err != nil {
		return nil, nil, fmt.Errorf("natsengine: read stream state: %w", err)
	}
	var sizes []streamSize
	var engine []StreamLoss
	for _, acc := range info.AccountDetails {
		for _, st := range acc.Streams {
			s := st.State
			expires := st.Config != nil && (st.Config.MaxAge > 0 || st.Config.AllowMsgTTL)
			sizes = append(sizes, streamSize{Account: acc.Name, Stream: st.Name, Msgs: s.Msgs, Bytes: s.Bytes, LastSeq: s.LastSeq, Expires: expires})
			if s.Lost != nil && (len(s.Lost.Msgs) > 0 || s.Lost.Bytes > 0) {
				engine = append(engine, StreamLoss{Account: acc.Name, Stream: st.Name, Msgs: uint64(len(s.Lost.Msgs)),
					Bytes: s.Lost.Bytes, Seqs: slices.Clone(s.Lost.Msgs), How: LossEngine})
			}
		}
	}
	return sizes, engine, nil
}

// compareSizes returns the losses of now against the sizes recorded at a
// clean shutdown. A stream whose last sequence grew was written since the
// record (by a client of a listening server during the shutdown): its
// counts prove nothing and it is skipped.
func compareSizes(rec, now []streamSize) []StreamLoss {
	type key struct{ acc, stream string }
	cur := make(map[key]streamSize, len(now))
	for _, s := range now {
		cur[key{s.Account, s.Stream}] = s
	}
	var losses []StreamLoss
	for _, r := range rec {
		n, ok := cur[key{r.Account, r.Stream}]
		switch {
		case !ok:
			if r.Msgs > 0 || r.Bytes > 0 || r.Expires {
				losses = append(losses, StreamLoss{Account: r.Account, Stream: r.Stream, Msgs: r.Msgs, Bytes: r.Bytes, How: LossMissing})
			}
		case n.LastSeq > r.LastSeq:
			// written since: not comparable
		case r.Expires && n.LastSeq == r.LastSeq:
			// messages may have expired meanwhile
		case n.Msgs < r.Msgs || n.Bytes < r.Bytes || n.LastSeq < r.LastSeq:
			l := StreamLoss{Account: r.Account, Stream: r.Stream, How: LossCount}
			if n.Msgs < r.Msgs {
				l.Msgs = r.Msgs - n.Msgs
			}
			if n.Bytes < r.Bytes {
				l.Bytes = r.Bytes - n.Bytes
			}
			losses = append(losses, l)
		}
	}
	return losses
}

// checkLosses runs once the server is ready: it compares the streams
// with the state file's record of the last clean shutdown, adds what
// nats-server itself reports lost, appends the losses to the loss file,
// and marks the directory as running (so that a crash is not mistaken for
// a clean shutdown at the next start).
func (e *Engine) checkLosses() error {
	rec, err := readState(e.dir)
	if err != nil {
		return err
	}
	sizes, found, err := streamSizes(e.srv)
	if err != nil {
		return err
	}
	e.unclean = rec != nil && !rec.Clean
	if rec != nil && rec.Clean {
		found = append(compareSizes(rec.Streams, sizes), found...)
	}
	now := time.Now().UTC()
	for i := range found {
		found[i].Detected = now
	}
	if len(found) > 0 {
		old, err := readLosses(e.dir)
		if err != nil {
			return err
		}
		if err := writeJSON(e.dir, lossFile, append(old, found...)); err != nil {
			return err
		}
	}
	return writeJSON(e.dir, stateFile, stateRecord{Clean: false, Written: now})
}

// recordClean writes the sizes of a clean shutdown.
func recordClean(dir string, sizes []streamSize) error {
	return writeJSON(dir, stateFile, stateRecord{Clean: true, Written: time.Now().UTC(), Streams: sizes})
}

// readState returns the state record, or nil when there is none (a new
// directory, or one written before Orchard kept the record). A record
// that cannot be read as JSON is treated as an unclean shutdown.
func readState(dir string) (*stateRecord, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("natsengine: read %s: %w", stateFile, err)
	}
	var rec stateRecord
	if json.Unmarshal(data, &rec) != nil {
		return &stateRecord{}, nil
	}
	return &rec, nil
}

// readLosses returns the losses kept in dir. A loss file that cannot be
// decoded is itself reported, as one loss of unknown size, so that a
// damaged record of damage never reads as "no loss".
func readLosses(dir string) ([]StreamLoss, error) {
	data, err := os.ReadFile(filepath.Join(dir, lossFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("natsengine: read %s: %w", lossFile, err)
	}
	var losses []StreamLoss
	if json.Unmarshal(data, &losses) != nil {
		return []StreamLoss{{Stream: "?", How: LossEngine + ": unreadable " + lossFile}}, nil
	}
	return losses, nil
}

// writeJSON replaces dir/name with v as JSON: written to a temporary
// file, fsynced, renamed over the old one, and the directory fsynced, so
// a crash leaves either the old or the new content.
func writeJSON(dir, name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("natsengine: encode %s: %w", name, err)
	}
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("natsengine: write %s: %w", name, err)
	}
	_, err = f.Write(append(data, '\n'))
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("natsengine: write %s: %w", name, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Losses returns the data the streams of the directory lost while no
// engine ran on it, as found by this start and earlier ones, oldest
// first, until [Engine.ClearLosses]. Nil means no loss was found: see
// [Engine.Unclean] for how much that says.
func (e *Engine) Losses() ([]StreamLoss, error) {
	if e.external() {
		return nil, nil // the external server keeps its own records
	}
	e.lossMu.Lock()
	defer e.lossMu.Unlock()
	return readLosses(e.dir)
}

// ClearLosses forgets the recorded losses of the named streams (all of
// them when no stream is named): the operator has seen them. It does not
// bring any data back.
func (e *Engine) ClearLosses(streams ...string) error {
	if e.external() {
		return nil
	}
	e.lossMu.Lock()
	defer e.lossMu.Unlock()
	old, err := readLosses(e.dir)
	if err != nil || len(old) == 0 {
		return err
	}
	keep := old[:0]
	for _, l := range old {
		if len(streams) > 0 && !slices.Contains(streams, l.Stream) {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		if err := os.Remove(filepath.Join(e.dir, lossFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("natsengine: clear losses: %w", err)
		}
		return nil
	}
	return writeJSON(e.dir, lossFile, keep)
}

// Unclean reports whether the previous engine on the directory did not
// shut down cleanly (the program crashed or was killed). Then the start
// could not compare the streams with their size at shutdown, and only
// what nats-server itself detects (a torn or corrupt record, a missing
// block it expected) is reported in [Engine.Losses]: a truncation at a
// record boundary after a crash goes unnoticed.
func (e *Engine) Unclean() bool { return e.unclean }
