package rawsend_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/seed-fe72f376/orchard/otptest"
	"github.com/seed-fe72f376/orchard/vet/internal/vettest"
	"github.com/seed-fe72f376/orchard/vet/rawsend"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }

func TestAnalyzer(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, vettest.TestData(), rawsend.Analyzer, "rawsend/a", "rawsend/off")
}
