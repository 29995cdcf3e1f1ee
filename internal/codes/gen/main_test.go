package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFresh fails when a file generated from internal/codes is stale.
func TestFresh(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./internal/codes", name)
		}
	}
}

func TestReplaceMarked(t *testing.T) {
	got, err := replaceMarked([]byte("a\n<!-- codes:begin --> x\nold\n<!-- codes:end -->\nb\n"), beginMarker, endMarker, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a\n<!-- codes:begin --> x\nnew\n<!-- codes:end -->\nb\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := replaceMarked([]byte("no markers"), beginMarker, endMarker, ""); err == nil {
		t.Error("no error without markers")
	}
}
