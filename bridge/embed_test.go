package bridge

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"io"
	"regexp"
	"strings"
	"testing"
)

// maxGzip is the size budget of the injected script, minified and gzipped.
const maxGzip = 2600

func TestScript(t *testing.T) {
	s := Script()
	if len(s) == 0 {
		t.Fatal("Script is empty")
	}
	for _, want := range []string{"passkeys", "PasskeyError", "chirp"} {
		if !bytes.Contains(s, []byte(want)) {
			t.Errorf("Script does not contain %q", want)
		}
	}
	if bytes.Contains(s, []byte("sourceMappingURL")) {
		t.Error("Script references a source map")
	}
}

func TestIntegrity(t *testing.T) {
	sum := sha512.Sum384(Script())
	want := "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
	if got := Integrity(); got != want {
		t.Fatalf("Integrity() = %q, want %q", got, want)
	}
}

func TestVersion(t *testing.T) {
	sum := sha256.Sum256(Script())
	want := hex.EncodeToString(sum[:])[:12]
	if got := Version(); got != want {
		t.Fatalf("Version() = %q, want %q", got, want)
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(Version()) {
		t.Fatalf("Version() = %q is not 12 hex chars", Version())
	}
}

func TestScriptGzip(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(ScriptGzip()))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, time %v; want neither", zr.Name, zr.ModTime)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Script()) {
		t.Fatal("ScriptGzip does not decompress to Script")
	}
}

func TestModuleScript(t *testing.T) {
	m := string(ModuleScript())
	for _, name := range []string{"register", "authenticate", "registerWith", "authenticateWith", "isSupported", "isConditionalSupported", "capabilities", "abort", "PasskeyError", "version"} {
		if !regexp.MustCompile(`export\s*\{[^}]*\b` + name + `\b`).MatchString(m) {
			t.Errorf("ModuleScript does not export %s", name)
		}
	}
	if strings.Contains(m, "window.chirp") {
		t.Error("ModuleScript installs window.chirp; only the IIFE should")
	}
}

// TestSizeBudget fails when the injected script, gzipped at best compression,
// exceeds maxGzip bytes.
func TestSizeBudget(t *testing.T) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(Script())
	zw.Close()
	t.Logf("chirp-passkeys.js: %d bytes minified, %d bytes gzipped (budget %d)", len(Script()), buf.Len(), maxGzip)
	if buf.Len() > maxGzip {
		t.Fatalf("chirp-passkeys.js is %d bytes gzipped, over the %d byte budget", buf.Len(), maxGzip)
	}
}
