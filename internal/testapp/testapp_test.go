package testapp

import (
	"testing"

	"github.com/chirpkit/passkeys/server/credstoretest"
)

func TestCredentialsKeepTheContract(t *testing.T) {
	credstoretest.Run(t, func(*testing.T) credstoretest.Harness { return credstoretest.Harness{Store: NewCredentials()} })
}
