package monitors

import "strconv"

// Ref names one monitor of a [Manager]: Monitor returns it, Demonitor
// takes it, and the caller's [Down] carries it. It is a small comparable
// value, unique within its manager and increasing in creation order. It
// is not a process.Ref: process.Proc.Demonitor does not know it, and the
// type keeps the two kinds of monitor apart.
type Ref struct{ id uint64 }

// IsZero reports whether r is the zero Ref, which names no monitor.
func (r Ref) IsZero() bool { return r.id == 0 }

// String prints the ref as #MonitorRef<id>.
func (r Ref) String() string { return "#MonitorRef<" + strconv.FormatUint(r.id, 10) + ">" }
