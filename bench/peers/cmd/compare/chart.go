package main

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/seed-fe72f376/orchard/bench/peers/workload"
)

// family is one chart: a group of workloads drawn side by side.
type family struct {
	name      string // file name without extension
	title     string
	workloads []workload.Workload
}

// families are the charts the command draws, one SVG and one PNG each.
var families = []family{
	{"messaging", "Messaging (W1–W3b)", []workload.Workload{workload.W1, workload.W2, workload.W3, workload.W3b}},
	{"processes", "Processes (W4)", []workload.Workload{workload.W4}},
	{"supervision", "Supervision (W5–W6a)", []workload.Workload{workload.W5, workload.W6, workload.W6a}},
	{"registry", "Registry (W7)", []workload.Workload{workload.W7}},
}

// runtimeColor gives each runtime the same colour in every chart.
var runtimeColor = map[string]color.Color{
	"orchard":    color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff},
	"rawgo":      color.RGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff},
	"ergo":       color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"protoactor": color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	"suture":     color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
	beamName:     color.RGBA{R: 0xa3, G: 0x1f, B: 0x34, A: 0xff},
	elixirName:   color.RGBA{R: 0x4b, G: 0x27, B: 0x5f, A: 0xff},
}

// drawCharts writes one SVG and one PNG per family to dir: a grid with one bar chart
// per metric, bars at the median and error bars from min to max.
func drawCharts(dir string, r *report) error {
	for _, f := range families {
		var plots []*plot.Plot
		for _, w := range f.workloads {
			if !contains(r.Workloads, w) {
				continue
			}
			for _, mi := range workload.MetricsOf(w) {
				p, err := metricPlot(r, w, mi)
				if err != nil {
					return err
				}
				if p != nil {
					plots = append(plots, p)
				}
			}
		}
		if len(plots) == 0 {
			continue
		}
		for _, format := range []string{"svg", "png"} {
			path := filepath.Join(dir, f.name+"."+format)
			if err := saveGrid(path, format, f.title, plots); err != nil {
				return err
			}
		}
	}
	return nil
}

func contains[T comparable](s []T, x T) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// minMax implements plotter.XYer and plotter.YErrorer for error bars.
type minMax struct {
	y, lo, hi []float64
}

func (m minMax) Len() int                        { return len(m.y) }
func (m minMax) XY(i int) (float64, float64)     { return float64(i), m.y[i] }
func (m minMax) YError(i int) (float64, float64) { return m.y[i] - m.lo[i], m.hi[i] - m.y[i] }

// metricPlot draws one metric of w for every runtime that measured it.
func metricPlot(r *report, w workload.Workload, mi workload.MetricInfo) (*plot.Plot, error) {
	var names []string
	var mm minMax
	var colors []color.Color
	for _, rt := range r.Runtimes {
		s, ok := r.get(rt, w, mi.Name)
		if !ok || s.N == 0 {
			continue
		}
		name := rt
		if rt == elixirName && w == workload.W6 && mi.Name == workload.StopMS {
			if n := r.elixirStopTree(); n > 0 {
				name = fmt.Sprintf("%s (%s children)", rt, num(float64(n)))
			}
		}
		names = append(names, name)
		mm.y = append(mm.y, s.Median)
		mm.lo = append(mm.lo, s.Min)
		mm.hi = append(mm.hi, s.Max)
		colors = append(colors, runtimeColor[rt])
	}
	if len(names) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s %s: %s %s", w, w.Title(), metricLabel(mi.Name), arrow(mi.Better))
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.X.Tick.Label.Font.Size = vg.Points(7)
	p.Y.Tick.Label.Font.Size = vg.Points(7)
	p.Y.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		ticks := plot.DefaultTicks{}.Ticks(min, max)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = num(ticks[i].Value)
			}
		}
		return ticks
	})
	// One bar chart per runtime so each gets its colour; each has a
	// single bar at its index.
	for i := range names {
		vals := make(plotter.Values, len(names))
		vals[i] = mm.y[i]
		bars, err := plotter.NewBarChart(vals, vg.Points(18))
		if err != nil {
			return nil, err
		}
		bars.Color = colors[i]
		bars.LineStyle.Width = 0
		p.Add(bars)
	}
	eb, err := plotter.NewYErrorBars(mm)
	if err != nil {
		return nil, err
	}
	eb.LineStyle.Width = vg.Points(1)
	p.Add(eb)
	p.NominalX(names...)
	p.Y.Min = 0
	return p, nil
}

// saveGrid lays plots out in a grid of up to 3 columns under title and
// writes them to path as format ("svg" or "png").
func saveGrid(path, format, title string, plots []*plot.Plot) error {
	cols := min(3, len(plots))
	if len(plots) == 4 {
		cols = 2
	}
	rows := (len(plots) + cols - 1) / cols
	width := vg.Length(cols) * 3.2 * vg.Inch
	height := vg.Length(rows)*2.6*vg.Inch + 0.4*vg.Inch
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case "svg":
		c = vgsvg.New(width, height)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110),
			vgimg.UseBackgroundColor(color.White))}
	default:
		return fmt.Errorf("unknown chart format %q", format)
	}
	dc := draw.New(c)
	titleStyle := draw.TextStyle{
		Color:   color.Black,
		Font:    plot.DefaultFont,
		Handler: plot.DefaultTextHandler,
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
	}
	titleStyle.Font.Size = vg.Points(12)
	dc.FillText(titleStyle, vg.Point{X: width / 2, Y: height - 0.1*vg.Inch}, title)
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range plots {
		grid[i/cols][i%cols] = p
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: 0.4 * vg.Inch, PadX: 0.2 * vg.Inch, PadY: 0.2 * vg.Inch,
		PadLeft: 0.1 * vg.Inch, PadRight: 0.25 * vg.Inch, PadBottom: 0.1 * vg.Inch}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
