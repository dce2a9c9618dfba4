package restartwin_test

import (
	"testing"

	"github.com/seed-fe72f376/orchard/otptest"
)

func TestMain(m *testing.M) { otptest.VerifyTestMain(m) }
