package providers_test

import (
	"fmt"

	"github.com/chirpkit/passkeys/providers"
)

// A settings page names each passkey by its provider, with a fallback.
func ExampleNameOf() {
	for _, aaguid := range []string{"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "00000000-0000-0000-0000-000000000000"} {
		name := providers.NameOf(aaguid)
		if name == "" {
			name = "Passkey"
		}
		fmt.Println(name)
	}
	// Output:
	// Google Password Manager
	// Passkey
}
