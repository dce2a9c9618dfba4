package initblock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/vet/initblock"
	"github.com/seed-fe72f376/orchard/vet/internal/vettest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, vettest.TestData(), initblock.Analyzer, "initblock/a")
}
