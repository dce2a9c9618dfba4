// Package supinfo is the node's table of live supervisors, for tools that
// draw supervision trees (package observer): each supervisor adds itself
// when it initialises, with its strategy, and counts its restarts here;
// it leaves the table when it exits. Nothing here is on a message path:
// a supervisor writes once at start and once per restart.
//
// # OTP mapping
//
//	OTP                                        supinfo
//	---                                        -------
//	supervisor:get_callback_module/1, sys      Sup.Strategy, Sup.Dynamic
//	observer's application tree walk           List (roots are the supervisors whose parent is none)
//	restart counts shown by observer           Sup.Restarts, Sup.Children
package supinfo
