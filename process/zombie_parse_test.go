package process

import (
	"slices"
	"testing"
)

// The two dumps a zombie report reads, as Go 1.26 writes them: a
// goroutine profile (debug=1, tabwriter output) and a goroutine dump.
const (
	helperRecord = "1 @ 0x48732e 0x5c1811 0x48eaa1\n" +
		"# labels: {\"orchard.node\":\"1\", \"orchard.worker\":\"7\"}\n" +
		"#\t0x5c1810\texample.com/app.helper+0x30\t\t/src/app/helper.go:9\n"
	workerRecord = "1 @ 0x48732e 0x41892e 0x5c1811 0x5b9877 0x48eaa1\n" +
		"# labels: {\"orchard.node\":\"1\", \"orchard.worker\":\"7\"}\n" +
		"#\t0x41892d\truntime.chanrecv1+0x12\t\t\t\t\t/go/src/runtime/chan.go:506\n" +
		"#\t0x5c1810\texample.com/app.stuck+0x30\t\t\t\t/src/app/stuck.go:14\n" +
		"#\t0x5b9877\tgithub.com/seed-fe72f376/orchard/process.(*worker).loop+0x257\t/src/orchard/process/run.go:148\n"
	otherWorker = "1 @ 0x48732e 0x5b9877 0x48eaa1\n" +
		"# labels: {\"orchard.node\":\"1\", \"orchard.worker\":\"17\"}\n" +
		"#\t0x5b9877\tgithub.com/seed-fe72f376/orchard/process.(*worker).loop+0x257\t/src/orchard/process/run.go:150\n"
	dumpEntry = "goroutine 8 [chan receive, 3 minutes]:\n" +
		"example.com/app.stuck(0xc000010000?)\n" +
		"\t/src/app/stuck.go:14 +0x31\n" +
		"github.com/seed-fe72f376/orchard/process.(*worker).loop(0xc00001e180, 0xc000096180)\n" +
		"\t/src/orchard/process/run.go:148 +0x258\n" +
		"created by github.com/seed-fe72f376/orchard/process.(*pool).dispatch in goroutine 7\n" +
		"\t/src/orchard/process/run.go:73 +0x207"
)

// TestWorkerBlock: a goroutine started by process code inherits its
// worker's labels; only the record that runs the worker's loop is the
// worker's, and worker 17's label does not match worker 7 or 1.
func TestWorkerBlock(t *testing.T) {
	profile := [][]byte{[]byte(helperRecord), []byte(otherWorker), []byte(workerRecord)}
	if got := workerBlock(profile, 7); string(got) != workerRecord {
		t.Errorf("workerBlock(7) = %q; want the worker's own record", got)
	}
	if got := workerBlock(profile, 1); got != nil {
		t.Errorf("workerBlock(1) = %q; want none", got)
	}
}

func TestStackFramesMatch(t *testing.T) {
	want := []string{
		"example.com/app.stuck /src/app/stuck.go:14",
		"github.com/seed-fe72f376/orchard/process.(*worker).loop /src/orchard/process/run.go:148",
	}
	if got := profileFrames([]byte(workerRecord)); !slices.Equal(got, want) {
		t.Errorf("profileFrames = %q; want %q", got, want)
	}
	if got := dumpFrames([]byte(dumpEntry)); !slices.Equal(got, want) {
		t.Errorf("dumpFrames = %q; want %q", got, want)
	}
}
