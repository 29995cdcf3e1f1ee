// Package modroot finds the root folder of this module, for the generators that write
// into it (go generate runs them in their package's folder).
package modroot

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
)

// Find walks up from the working directory to the go.mod of github.com/chirpkit/passkeys.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/chirpkit/passkeys\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod of github.com/chirpkit/passkeys not found above the working directory")
		}
		dir = parent
	}
}
