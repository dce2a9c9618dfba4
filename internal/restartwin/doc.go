// Package restartwin is the restart intensity of Orchard's supervisors:
// the sliding window that counts restarts and says when more than
// MaxRestarts happened within Period. Package supervisor counts its
// children's restarts with it, and package cluster's distributed
// supervisor counts its children's restarts on a node with the same
// code, so the two give up alike.
//
// # OTP mapping
//
//	OTP                                         Orchard
//	------------------------------------------  ------------------------------
//	supervisor's add_restart/1 (intensity,      Window.Init(max, period),
//	period, the restarts list)                  Window.Add(now) bool
package restartwin
