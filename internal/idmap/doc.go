// Package idmap implements maps and sets keyed by the numbers a counter
// hands out in increasing order, such as process ids.
//
// A Go map places consecutive keys in unrelated slots, so once it outgrows
// the processor's caches every insert of a fresh id is a cache miss (about
// a third of a supervisor's cost per child at 100,000 children, in three
// such maps). [Map] keeps 16 consecutive ids in one chunk and [Set] 64 in
// one bit word, both found through a small Go map of chunks, and each
// remembers the chunk it touched last: ids handed out in order land in the
// same chunk, and a run of inserts touches one cache line instead of
// sixteen.
//
// # Semantics
//
// Every operation is O(1). A chunk is freed when its last id goes, so
// memory follows the live ids; the price is a sparse table (one live id
// per chunk) using a chunk per id (144 bytes for a Map of pointers, 16 for
// a Set). Iteration order is unspecified. Neither type is safe for
// concurrent use; their owners lock.
//
// # Differences from OTP
//
// None: this is an implementation detail of the process table, link sets
// and dynamic supervisors (the BEAM's process table is an array indexed
// by a PID's number, with the same locality).
package idmap
