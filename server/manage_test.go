package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// mgmtTable is the credential table with the optional management interfaces: labels,
// and a delete that keeps the last credential atomically (under the table's lock).
type mgmtTable struct {
	*credTable
	labels map[string]string
}

func (m *mgmtTable) ListCredentials(_ context.Context, userID []byte) ([]CredentialInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []CredentialInfo
	for id, c := range m.rows {
		if bytes.Equal(c.UserID, userID) {
			out = append(out, CredentialInfo{ID: c.ID, Label: m.labels[id], AAGUID: c.AAGUID, BackupEligible: c.BackupEligible,
				BackupState: c.BackupState, Transports: c.Transports, Created: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
		}
	}
	slices.SortFunc(out, func(a, b CredentialInfo) int { return bytes.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *mgmtTable) RenameCredential(_ context.Context, userID, id []byte, label string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.rows[string(id)]
	if !ok || !bytes.Equal(c.UserID, userID) {
		return ErrUnknownCredential
	}
	m.labels[string(id)] = label
	return nil
}

func (m *mgmtTable) DeleteCredential(_ context.Context, userID, id []byte, keepLast bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.rows[string(id)]
	if !ok || !bytes.Equal(c.UserID, userID) {
		return ErrUnknownCredential
	}
	if keepLast {
		n := 0
		for _, r := range m.rows {
			if bytes.Equal(r.UserID, userID) {
				n++
			}
		}
		if n <= 1 {
			return ErrLastCredential
		}
	}
	delete(m.rows, string(id))
	return nil
}

// newMgmtEnv serves Routes over a mgmtTable, with a barrier before each delete when
// barrier is set; alice is signed in.
func newMgmtEnv(t *testing.T, other bool) (routesEnv, *mgmtTable) {
	e, creds := newRoutesEnv(t, "alice")
	m := &mgmtTable{credTable: creds, labels: map[string]string{}}
	e.rt.Credentials = m
	e.rt.HasOtherSignIn = func(*http.Request, []byte) (bool, error) { return other, nil }
	return e, m
}

func (e routesEnv) manage(path string, body any) (int, []byte) {
	b, _ := json.Marshal(body)
	return e.post("/credentials/"+path, b)
}

func TestRoutesManageCredentials(t *testing.T) {
	e, m := newMgmtEnv(t, false)
	if got := len(e.rt.Paths()); got != 7 {
		t.Fatalf("%d paths, want 7: %v", got, e.rt.Paths())
	}
	gpm, _ := hex.DecodeString("ea9b8d664d011d213ce4b6b48cb575d4")
	a1, a2 := softauth.New(), softauth.New()
	a1.AAGUID = [16]byte(gpm)
	a1.Flags |= softauth.FlagBE | softauth.FlagBS
	for _, a := range []*softauth.Authenticator{a1, a2} {
		if st, body := e.register(a, softauth.Tamper{}); st != 200 {
			t.Fatalf("register: %d %s", st, body)
		}
	}
	bob := e.browser()
	bob.as("bob")
	b1 := softauth.New()
	if st, body := bob.register(b1, softauth.Tamper{}); st != 200 {
		t.Fatalf("bob registers: %d %s", st, body)
	}
	id1 := base64.RawURLEncoding.EncodeToString(a1.Creds[0].ID)
	id2 := base64.RawURLEncoding.EncodeToString(a2.Creds[0].ID)
	bobs := base64.RawURLEncoding.EncodeToString(b1.Creds[0].ID)

	list := func() map[string]credentialJSON {
		st, body := e.manage("list", struct{}{})
		var out struct{ Credentials []credentialJSON }
		if st != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("list: %d %s", st, body)
		}
		byID := map[string]credentialJSON{}
		for _, c := range out.Credentials {
			byID[c.ID] = c
		}
		return byID
	}
	got := list()
	if len(got) != 2 || got[id1].Provider != "Google Password Manager" || !got[id1].Synced || got[id2].Provider != "" || got[id2].Synced || got[id2].Transports == nil {
		t.Fatalf("list: %+v", got)
	}

	if st, body := e.manage("rename", manageBody{ID: id2, Label: "  Work laptop  "}); st != 200 {
		t.Fatalf("rename: %d %s", st, body)
	}
	if l := list()[id2].Label; l != "Work laptop" {
		t.Fatalf("label %q", l)
	}
	for _, bad := range []manageBody{{ID: id2, Label: string(bytes.Repeat([]byte("x"), 65))}, {ID: id2, Label: "a\x00b"}, {ID: "not base64!"}} {
		st, body := e.manage("rename", bad)
		wantCode(t, st, body, 400, CodeBadRequest)
	}
	st, body := e.manage("rename", manageBody{ID: bobs, Label: "mine now"})
	wantCode(t, st, body, 400, CodeUnknownCredential)
	st, body = e.manage("delete", manageBody{ID: bobs})
	wantCode(t, st, body, 400, CodeUnknownCredential)
	if m.labels[bobs] != "" || m.len() != 3 {
		t.Fatal("another user's passkey was changed")
	}

	if st, body := e.manage("delete", manageBody{ID: id1}); st != 200 {
		t.Fatalf("delete: %d %s", st, body)
	}
	st, body = e.manage("delete", manageBody{ID: id2})
	wantCode(t, st, body, 409, CodeLastCredential)
	if len(list()) != 1 {
		t.Fatal("the last passkey was deleted")
	}

	e.rt.HasOtherSignIn = nil // nil: no other way either
	st, body = e.manage("delete", manageBody{ID: id2})
	wantCode(t, st, body, 409, CodeLastCredential)

	e.as("")
	st, body = e.manage("list", struct{}{})
	wantCode(t, st, body, 401, CodeLoginRequired)
}

// TestRoutesDeleteWithPassword: with another way to sign in, the last passkey may go.
func TestRoutesDeleteWithPassword(t *testing.T) {
	e, m := newMgmtEnv(t, true)
	a := softauth.New()
	if st, body := e.register(a, softauth.Tamper{}); st != 200 {
		t.Fatalf("register: %d %s", st, body)
	}
	if st, body := e.manage("delete", manageBody{ID: base64.RawURLEncoding.EncodeToString(a.Creds[0].ID)}); st != 200 || m.len() != 0 {
		t.Fatalf("delete the last passkey of a user with a password: %d %s, %d rows", st, body, m.len())
	}
}

// TestRoutesWithoutManagement: a store without the optional interfaces keeps the four
// routes; the management paths are 404.
func TestRoutesWithoutManagement(t *testing.T) {
	e, _ := newRoutesEnv(t, "alice")
	for _, p := range []string{"list", "rename", "delete"} {
		if st, _ := e.manage(p, struct{}{}); st != 404 {
			t.Errorf("%s without the interface: %d", p, st)
		}
	}
}

// TestRoutesConcurrentDeletesKeepOne: two deletes of a user's last two passkeys at once:
// one succeeds, the other gets last_credential.
func TestRoutesConcurrentDeletesKeepOne(t *testing.T) {
	for run := range 10 {
		e, m := newMgmtEnv(t, false)
		var ids []string
		for range 2 {
			a := softauth.New()
			if st, body := e.register(a, softauth.Tamper{}); st != 200 {
				t.Fatalf("register: %d %s", st, body)
			}
			ids = append(ids, base64.RawURLEncoding.EncodeToString(a.Creds[0].ID))
		}
		del := func(id string) func() (int, []byte) {
			return func() (int, []byte) { return e.manage("delete", manageBody{ID: id}) }
		}
		sts, bodies := together(del(ids[0]), del(ids[1]))
		if (sts[0] == 200) == (sts[1] == 200) || m.len() != 1 {
			t.Fatalf("run %d: %d %s / %d %s, %d left; want one 200 and one last_credential", run, sts[0], bodies[0], sts[1], bodies[1], m.len())
		}
	}
}
