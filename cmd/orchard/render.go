package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seed-fe72f376/orchard/process"
)

// width is the width of the frame's tree and summary: every such line
// fits in 80 columns. Event lines wrap at the terminal's width
// (demoConfig.Width), at least minEventWidth.
const width = 80

// minEventWidth is the narrowest wrap of the event lines.
const minEventWidth = 40

// ANSI sequences for redrawing in place on a terminal.
const (
	ansiHome      = "\x1b[H"  // cursor to the top left
	ansiClear     = "\x1b[2J" // clear the screen
	ansiClearLine = "\x1b[K"  // clear to the end of the line
	ansiClearDown = "\x1b[J"  // clear to the end of the screen
)

// frameData is what a frame shows besides the tree.
type frameData struct {
	header string
	// names is how many names the registry holds.
	names int
	// msgs returns how many messages a live process has handled.
	msgs   func(process.PID) (uint64, bool)
	events []string
	// noEvents is shown instead of an empty list of events.
	noEvents string
	// hideEvents leaves the events out (the last frame on a terminal,
	// which makes room for the stop sequence below it).
	hideEvents bool
	// eventWidth is the column at which event lines wrap.
	eventWidth int
}

// renderFrame draws the tree and the events, one line per row, each at
// most width columns.
func renderFrame(t *tree, d frameData) string {
	var b strings.Builder
	b.WriteString(d.header + "\n\n")
	fmt.Fprintf(&b, "%-24s%-9s%-12s%s\n", "", "PID", "STATUS", "RESTARTS")
	row(&b, "", t.root, d)
	for i, c := range t.root.children {
		last := i == len(t.root.children)-1
		branch, pad := "├─ ", "│  "
		if last {
			branch, pad = "└─ ", "   "
		}
		row(&b, branch, c, d)
		switch {
		case c.dynamic:
			grid(&b, pad+"  ", c.children)
		default:
			for j, g := range c.children {
				sub := "├─ "
				if j == len(c.children)-1 {
					sub = "└─ "
				}
				row(&b, pad+sub, g, d)
			}
		}
	}
	b.WriteString("registry: " + plural(d.names, "name", "names") + "\n")
	if d.hideEvents {
		return b.String()
	}
	b.WriteString("\nevents\n")
	if len(d.events) == 0 {
		b.WriteString("  " + d.noEvents + "\n")
	}
	for _, e := range d.events {
		b.WriteString(wrapEvent(e, d.eventWidth) + "\n")
	}
	return b.String()
}

// row draws one member: name, PID, status, restarts and a note.
func row(b *strings.Builder, prefix string, m *member, d frameData) {
	restarts := fmt.Sprint(m.restarts)
	if m.parent == nil {
		restarts = "-"
	}
	line := fmt.Sprintf("%s%s%-9s%-12s%-9s%s", prefix, pad(m.id, 24-utf8.RuneCountInString(prefix)),
		pidText(m), m.status, restarts, note(m, d))
	b.WriteString(strings.TrimRight(line, " ") + "\n")
}

// note is the last column: a supervisor's strategy, or what a worker
// has done since it (re)started.
func note(m *member, d frameData) string {
	switch {
	case m.dynamic:
		return m.strategy.String() + " (dynamic)"
	case m.sup:
		return m.strategy.String()
	case m.status != running:
		return ""
	case d.msgs != nil:
		if n, ok := d.msgs(m.pid); ok {
			return plural(int(n), "msg", "msgs")
		}
	}
	return ""
}

// grid draws a dynamic supervisor's children two to a line, each cell
// with the same columns as a row: name, PID, status, restarts.
func grid(b *strings.Builder, indent string, ms []*member) {
	half := (len(ms) + 1) / 2
	for i := range half {
		line := indent + cell(ms[i])
		if j := i + half; j < len(ms) {
			line += "   " + cell(ms[j])
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

func cell(m *member) string {
	return fmt.Sprintf("%-9s%-9s%-11s%-3d", m.id, pidText(m), m.status, m.restarts)
}

func pidText(m *member) string {
	if m.pid.IsZero() || m.status == stopped {
		return "-"
	}
	return m.pid.String()
}

// pad pads s with spaces to n columns, keeping at least one space.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s + " "
}

// wrapEvent wraps an event line at w columns (at least minEventWidth),
// under its text, past the time stamp.
func wrapEvent(e string, w int) string { return wrap(e, max(w, minEventWidth), "         ") }

// wrap breaks s into lines of at most w columns, at spaces, starting
// each continuation line with indent.
func wrap(s string, w int, indent string) string {
	var out []string
	for utf8.RuneCountInString(s) > w {
		cut := -1
		n := 0
		for i, r := range s {
			if n >= w {
				break
			}
			if r == ' ' && n > utf8.RuneCountInString(indent) {
				cut = i
			}
			n++
		}
		if cut < 0 {
			break
		}
		out = append(out, s[:cut])
		s = indent + strings.TrimLeft(s[cut:], " ")
	}
	return strings.Join(append(out, s), "\n")
}

// redraw turns a frame into what a terminal needs to show it in place of
// the previous one: home, each line cleared to its end, the rest of the
// screen cleared.
func redraw(frame string, first bool) string {
	var b strings.Builder
	if first {
		b.WriteString(ansiClear)
	}
	b.WriteString(ansiHome)
	// No newline after the last line: on a 24-row terminal the frame
	// fills the screen, and a newline at the bottom would scroll it.
	frame = strings.TrimSuffix(frame, "\n")
	b.WriteString(strings.ReplaceAll(frame, "\n", ansiClearLine+"\n"))
	b.WriteString(ansiClearLine + ansiClearDown)
	return b.String()
}

// plural returns "1 entry" or "n entries": n and the word that fits it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// terminalWidth returns the width the demo's events wrap at: the
// terminal's column count when w is a terminal, else $COLUMNS (as the
// shell exports it) when it is a positive number, else 80.
func terminalWidth(w io.Writer, columns string) int {
	if f, ok := w.(*os.File); ok && isTerminal(w) {
		if n := ttyColumns(f); n > 0 {
			return n
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(columns)); err == nil && n > 0 {
		return n
	}
	return width
}
