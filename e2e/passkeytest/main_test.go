package passkeytest_test

import (
	"os"
	"testing"

	"github.com/chirpkit/passkeys/e2e/passkeytest"
)

func passkeytestMain(m *testing.M) { os.Exit(passkeytest.Main(m)) }
