//go:build !(linux || darwin)

package main

import "os"

// ttyColumns is 0 where the demo does not ask the terminal its size:
// $COLUMNS or the default width applies.
func ttyColumns(*os.File) int { return 0 }
