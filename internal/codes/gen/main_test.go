package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chirpkit/passkeys"
	"github.com/chirpkit/passkeys/internal/codes"
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

// TestValidateStatus: a server code without an HTTP error status is refused, so that
// server.statusOf answers every code of the table.
func TestValidateStatus(t *testing.T) {
	saved := codes.ServerCodes
	defer func() { codes.ServerCodes = saved }()
	for _, status := range []int{0, 200, 399, 499, 600} {
		codes.ServerCodes = append(append([]codes.ServerCode(nil), saved...), codes.ServerCode{Name: "x", Go: "X", Status: status})
		if err := validate(); err == nil {
			t.Errorf("status %d accepted", status)
		}
	}
	codes.ServerCodes = saved
	if err := validate(); err != nil {
		t.Fatal(err)
	}
}

// TestVersionsAgree fails when the npm package's package.json, the built bridge in
// bridge/dist (the injected IIFE, the ES module, the .d.ts) and passkeys.Version disagree.
func TestVersionsAgree(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	find := func(name, re string) string {
		m := regexp.MustCompile(re).FindSubmatch(read(name))
		if m == nil {
			t.Fatalf("%s: no match for %s", name, re)
		}
		return string(m[1])
	}
	var pkg struct{ Name, Version string }
	if err := json.Unmarshal(read(packageJSON), &pkg); err != nil {
		t.Fatalf("%s: %v", packageJSON, err)
	}
	const iife = "bridge/dist/chirp-passkeys.js"
	// minified: {version:b,...} installs it, var b="0.2.0" (or ,b="0.2.0") declares it
	ident := find(iife, `[{,]version:([\w$]+)[,}]`)
	got := map[string]string{
		packageJSON:                      pkg.Version,
		iife:                             find(iife, `(?:^|[^\w$])`+regexp.QuoteMeta(ident)+`="([^"]*)"`),
		"bridge/dist/chirp-passkeys.mjs": find("bridge/dist/chirp-passkeys.mjs", `var version = "([^"]*)";`),
		"bridge/dist/types/version.d.ts": find("bridge/dist/types/version.d.ts", `export declare const version = "([^"]*)";`),
	}
	for name, v := range got {
		if v != passkeys.Version {
			t.Errorf("%s has version %q, passkeys.Version is %q: run go generate ./bridge", name, v, passkeys.Version)
		}
	}
	if pkg.Name != "@chirpkit/passkeys" {
		t.Errorf("%s: name %q", packageJSON, pkg.Name)
	}
}

func TestSetPackageVersion(t *testing.T) {
	in := "{\n  \"name\": \"x\",\n  \"version\" : \"0.0.1\",\n  \"dependencies\": {\"version\": \"1\"}\n}\n"
	got, err := setPackageVersion([]byte(in), "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"name\": \"x\",\n  \"version\" : \"1.2.3\",\n  \"dependencies\": {\"version\": \"1\"}\n}\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := setPackageVersion([]byte(`{"name": "x"}`), "1.2.3"); err == nil {
		t.Error("no error without a version member")
	}
}
