package testsleep_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/vet/internal/vettest"
	"github.com/seed-fe72f376/orchard/vet/testsleep"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, vettest.TestData(), testsleep.Analyzer, "testsleep/a")
}
