package server

import (
	"encoding/json"
	"testing"
)

func signalServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{RPID: "example.com", Origins: []string{"https://example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAcceptedCredentialsJSON(t *testing.T) {
	s := signalServer(t)
	// 0xfb 0xff: "+/" in standard base64, "-_" in base64url; no padding.
	got := signalJSON(t, s.AcceptedCredentials([]byte{0xfb, 0xff, 1}, [][]byte{{1, 2, 3}, {0xfb, 0xff}}))
	want := `{"rpId":"example.com","userId":"-_8B","allAcceptedCredentialIds":["AQID","-_8"]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestAcceptedCredentialsNoneIsEmptyList(t *testing.T) {
	s := signalServer(t)
	for _, ids := range [][][]byte{nil, {}} {
		got := signalJSON(t, s.AcceptedCredentials([]byte{7}, ids))
		if want := `{"rpId":"example.com","userId":"Bw","allAcceptedCredentialIds":[]}`; got != want {
			t.Fatalf("ids %v: got %s, want %s (an empty list, never null)", ids, got, want)
		}
	}
}

func TestCurrentUserDetailsJSON(t *testing.T) {
	s := signalServer(t)
	got := signalJSON(t, s.CurrentUserDetails(User{ID: []byte{1, 2}, Name: "ada@example.com", DisplayName: "Ada Lovelace"}))
	want := `{"rpId":"example.com","userId":"AQI","name":"ada@example.com","displayName":"Ada Lovelace"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestCurrentUserDetailsDisplayNameDefaultsToName(t *testing.T) {
	s := signalServer(t)
	d := s.CurrentUserDetails(User{ID: []byte{1}, Name: "ada"})
	if d.DisplayName != "ada" || d.Name != "ada" || d.RPID != "example.com" || d.UserID != "AQ" {
		t.Fatalf("got %+v", d)
	}
}
