// Package idmap implements maps and sets keyed by the numbers a counter
// hands out in increasing order, such as process ids.
//
// A Go map places consecutive keys in unrelated slots, so once it outgrows
// the processor's caches every insert of a fresh id is a cache miss (about
// a third of a supervisor's cost per child at 100,000 children, in three
// such maps). [Map] keeps 16 consecutive ids in one chunk, found through a
// Go map of chunks (one entry per 16 ids), and remembers the chunk of its
// last Put: ids put in order land in the same chunk, so a run of puts
// touches one chunk instead of sixteen slots spread over the table. [Set]
// keeps a bit per id in words of 64 consecutive ids, in a Go map with one
// entry per 64 ids.
//
// # OTP mapping
//
//	BEAM                                          Orchard
//	process table, indexed by a PID's number      process: an idmap.Map per table shard
//	a process's link set                          process: a pidSet, an idmap.Set once large
//	a dynamic supervisor's children               supervisor: dynTable, an idmap.Map by PID
//
// # Semantics
//
// Get, Put, Delete, Has, Add and Remove are O(1); All and Clear are linear.
// A chunk is freed when its last id goes, so memory follows the live ids,
// except the chunk of the last Put, which stays until a Put needs another
// chunk and is then reused for it: a process that dies and is replaced by
// the next id (a supervisor restarting a child) allocates no chunk;
// the price is a sparse table (one live id per chunk) using a whole chunk
// per id: 16 values plus a bit mask (136 bytes, a 144-byte allocation, for
// pointer values), or 16 bytes of map entry per id for a Set. Iteration
// order is unspecified.
//
// Neither type locks. Get, Has, Len and All only read (Map's last-Put
// chunk is written by Put and Delete alone), so any number of them may run
// together while nothing writes: the process table looks processes up
// under a shared lock and relies on it.
//
// # Differences from OTP
//
// None: this is an implementation detail of the process table, link sets
// and dynamic supervisors (the BEAM's process table is an array indexed
// by a PID's number, with the same locality).
//
// # Example
//
//	var m idmap.Map[*Proc]
//	m.Put(pid.ID(), p)
//	p, ok := m.Get(pid.ID())
package idmap
