package clusterobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seed-fe72f376/orchard/cluster"
)

// fake is a cluster as the view reads it, under the test's control.
type fake struct {
	members []cluster.Member
	records []cluster.MemberRecord
	err     error
	reads   int
}

func (f *fake) Name() string              { return "a" }
func (f *fake) Members() []cluster.Member { return f.members }
func (f *fake) MemberRecords(context.Context) ([]cluster.MemberRecord, error) {
	f.reads++
	return f.records, f.err
}

// TestRows checks the view's rows: this node, a node up since its join
// time with its address, a node down since the view saw it so; a status
// change moves Since; the members bucket is read again only every
// recordsEvery, sooner while an up node has no record, and a failed read
// keeps the records the view had.
func TestRows(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	joined := t0.Add(-time.Minute)
	f := &fake{
		members: []cluster.Member{
			{Name: "a", ID: 1, Up: true},
			{Name: "b", ID: 2, Up: true, LastSeen: t0.Add(-200 * time.Millisecond)},
			{Name: "c", ID: 3, Up: false, LastSeen: t0.Add(-3 * time.Second)},
		},
		records: []cluster.MemberRecord{
			{Name: "a", ID: 1, Route: "nats://127.0.0.1:1", Since: joined},
			{Name: "b", ID: 2, Route: "nats://127.0.0.1:2", Since: joined},
		},
	}
	v := &view{c: f, now: func() time.Time { return now }, seen: map[string]status{}}
	rows := func() [][]string {
		t.Helper()
		tab, err := v.rows(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(tab.Columns, "|") != "Node|ID|Status|Since|Last heartbeat|Address" {
			t.Fatalf("columns %q", tab.Columns)
		}
		return tab.Rows
	}
	want := [][]string{
		{"a", "1", "up (this node)", "2026-01-02 03:03:05 UTC (1m0s ago)", "—", "nats://127.0.0.1:1"},
		{"b", "2", "up", "2026-01-02 03:03:05 UTC (1m0s ago)", "0s ago", "nats://127.0.0.1:2"},
		{"c", "3", "down", "2026-01-02 03:04:05 UTC (0s ago)", "3s ago", ""},
	}
	check := func(got, want [][]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("rows %q; want %q", got, want)
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("row %d = %q; want %q", i, got[i], want[i])
			}
		}
	}
	check(rows(), want)
	if f.reads != 1 {
		t.Fatalf("%d reads of the members bucket; want 1", f.reads)
	}

	// b goes down 10s later; the bucket is not read again yet.
	now = t0.Add(10 * time.Second)
	f.members[1].Up = false
	got := rows()
	if got[1][2] != "down" || got[1][3] != "2026-01-02 03:04:15 UTC (0s ago)" || got[1][4] != "10s ago" {
		t.Errorf("b after it went down: %q", got[1])
	}
	if f.reads != 2 { // 10s > recordsEvery
		t.Errorf("%d reads; want 2", f.reads)
	}
	now = now.Add(time.Second)
	rows()
	if f.reads != 2 {
		t.Errorf("%d reads one second later; want still 2", f.reads)
	}

	// c comes back without a record yet: the view reads again after
	// recordsRetry; a failed read keeps the old records, and the next
	// read waits recordsEvery.
	f.members[2].Up = true
	f.err = errors.New("no JetStream")
	now = now.Add(recordsRetry)
	got = rows()
	if f.reads != 3 || got[0][5] != "nats://127.0.0.1:1" || got[2][2] != "up" || got[2][5] != "" {
		t.Errorf("after a failed read (%d reads): %q", f.reads, got)
	}
	now = now.Add(recordsRetry)
	rows()
	if f.reads != 3 {
		t.Errorf("%d reads after a failure; want still 3 until recordsEvery", f.reads)
	}
	f.err = nil
	f.records = append(f.records, cluster.MemberRecord{Name: "c", ID: 3, Route: "nats://127.0.0.1:3", Since: now})
	now = now.Add(recordsEvery)
	if got = rows(); f.reads != 4 || got[2][5] != "nats://127.0.0.1:3" {
		t.Errorf("after recordsEvery (%d reads): %q", f.reads, got)
	}
}

// slowFake is a cluster whose members bucket answers only when the test
// lets it.
type slowFake struct {
	started chan struct{}
	release chan struct{}
}

func (f *slowFake) Name() string { return "a" }
func (f *slowFake) Members() []cluster.Member {
	return []cluster.Member{{Name: "a", ID: 1, Up: true}}
}
func (f *slowFake) MemberRecords(ctx context.Context) ([]cluster.MemberRecord, error) {
	close(f.started)
	select {
	case <-f.release:
		return []cluster.MemberRecord{{Name: "a", ID: 1, Route: "nats://127.0.0.1:1"}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestRowsReadWithoutLock: while one stream of the page waits for the
// members bucket, another renders from what the view has, without
// waiting and without a second read.
func TestRowsReadWithoutLock(t *testing.T) {
	f := &slowFake{started: make(chan struct{}), release: make(chan struct{})}
	v := &view{c: f, now: time.Now, seen: map[string]status{}}
	first := make(chan [][]string, 1)
	go func() {
		tab, _ := v.rows(context.Background())
		first <- tab.Rows
	}()
	<-f.started
	second := make(chan [][]string, 1)
	go func() {
		tab, _ := v.rows(context.Background())
		second <- tab.Rows
	}()
	select {
	case rows := <-second:
		if len(rows) != 1 || rows[0][5] != "" {
			t.Errorf("rows during the read = %q; want this node without its record", rows)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("rows waited for another stream's read of the members bucket")
	}
	close(f.release)
	select {
	case rows := <-first:
		if len(rows) != 1 || rows[0][5] != "nats://127.0.0.1:1" {
			t.Errorf("rows after the read = %q; want this node with its address", rows)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first read did not end")
	}
}
