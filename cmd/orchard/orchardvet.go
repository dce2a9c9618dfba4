package main

// The demo's timers are display and load pacing (frame refreshes, crash
// injection, ping and feed ticks that make traffic to watch), re-armed by
// each demo process so that a restarted process resumes its own rhythm;
// they are not scheduled work of the kind package schedule owns.
//
//orchardvet:allow-package selftimer the demo's ticks pace the display and the injected load; they are not scheduled work
