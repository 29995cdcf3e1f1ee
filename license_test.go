package passkeys_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestEveryModuleHasTheLicence: each go.mod in the tree has the root's LICENSE beside
// it, so that every module, fetched alone, carries it.
func TestEveryModuleHasTheLicence(t *testing.T) {
	want, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(want, []byte("MIT License")) {
		t.Fatal("LICENSE is not the MIT licence")
	}
	n := 0
	err = filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.Name() != "go.mod" {
			return nil
		}
		n++
		got, err := os.ReadFile(filepath.Join(filepath.Dir(p), "LICENSE"))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: LICENSE missing or different from the root's", filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 6 {
		t.Errorf("found %d modules, want at least 6", n)
	}
}
