package selftimer_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/vet/internal/vettest"
	"github.com/seed-fe72f376/orchard/vet/selftimer"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, vettest.TestData(), selftimer.Analyzer, "selftimer/a")
}
