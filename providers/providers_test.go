package providers

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	if n := Len(); n != 52 {
		t.Fatalf("%d providers, want the 52 of the embedded list", n)
	}
	gpm, _ := hex.DecodeString("ea9b8d664d011d213ce4b6b48cb575d4")
	for _, tc := range []struct {
		aaguid []byte
		want   string
	}{
		{gpm, "Google Password Manager"},
		{make([]byte, 16), ""},
		{gpm[:15], ""},
		{nil, ""},
	} {
		if got := Name(tc.aaguid); got != tc.want {
			t.Errorf("Name(%x) = %q, want %q", tc.aaguid, got, tc.want)
		}
	}
	for s, want := range map[string]string{
		"08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
		"08987058-CADC-4B81-B6E1-30DE50DCBE96": "Windows Hello",
		"bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
		"00000000-0000-0000-0000-000000000000": "",
		"08987058cadc4b81b6e130de50dcbe96":     "",
		"08987058-cadc-4b81-b6e1-30de50dcbe9z": "",
	} {
		if got := NameOf(s); got != want {
			t.Errorf("NameOf(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestEveryEntry: every key of the embedded file parses and has a name.
func TestEveryEntry(t *testing.T) {
	if strings.Count(string(aaguidsJSON), `"name"`) != Len() {
		t.Fatalf("%d names in the file, %d parsed", strings.Count(string(aaguidsJSON), `"name"`), Len())
	}
}
