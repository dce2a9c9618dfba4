// Package kvcoord implements coord's [coord.Backend] on a JetStream
// key-value bucket, so that coordinators on several nodes (or several
// OS processes) share locks and elections through NATS, embedded in
// the node ([OpenNode]) or on a server or cluster ([Open], [New]).
// It is a package of its own so that in-node users of coord do not
// link NATS.
//
// # OTP mapping
//
//	OTP                                   Orchard
//	------------------------------------  ------------------------------------------
//	global's lock table (replicated)      a KV bucket: one key per lock or election
//	global:set_lock (take if free)        Acquire: Create (create-if-absent)
//	(none: global has no fencing)         the create's revision is the fencing token
//	(none: global has no lease)           the bucket's TTL (MaxAge) is the lease;
//	                                      Renew: Update with the last revision (CAS)
//	global:del_lock                       Release: Delete with LastRevision
//
// # Semantics
//
// A lease is one key whose value names its owner and token. The
// bucket's TTL is the lease: every write restarts the key's age, so
// the coordinator's renewals (compare-and-set on the revision it last
// wrote) keep it, and a key that is not renewed for one TTL is removed
// by the server and can be created again. Tokens are stream sequence
// numbers, so they grow across every key of the bucket. Every
// operation is a single conditional write or read on the stream,
// which a replicated (R>1) stream orders the same way as a single
// server: nothing assumes one server.
//
// # Differences from OTP
//
// All leases in one bucket have the same duration (its TTL): [Open]
// names the bucket after the lease ([BucketName]), and Acquire refuses
// another lease. JetStream checks ages on its own clock and schedule,
// so an expired lease may stay visible a few hundred milliseconds past
// its TTL.
//
// # Example
//
//	b, err := kvcoord.OpenNode(ctx, node, 5*time.Second)
//	c, err := coord.Start(node, coord.WithBackend(b))
//	l, err := c.Lock(ctx, "nightly-report", coord.WithLease(b.Lease()))
package kvcoord
