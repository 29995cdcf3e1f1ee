// Package credstoretest checks that an app's server.CredentialStore keeps the semantics
// its documentation fixes, the ones that matter under concurrency and abuse: a credential
// ID is stored once, whoever asks (ErrCredentialExists, decided atomically); the sign
// count is a compare-and-set (ErrSignCountChanged); and, for stores with the optional
// management interfaces, a user reaches only their own credentials and the last one is
// kept atomically (ErrLastCredential).
//
// Run it from a test of the package that holds your store, against a real database:
//
//	func TestCredentialStore(t *testing.T) {
//		credstoretest.Run(t, func(t *testing.T) credstoretest.Harness {
//			db := openTestDB(t) // yours: an empty database
//			return credstoretest.Harness{
//				Store:   myStore{db},
//				NewUser: func(t testing.TB) []byte { return createUser(t, db) }, // a user row; its handle
//			}
//		})
//	}
package credstoretest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chirpkit/passkeys/server"
)

// Harness is one store under test, empty, and how to make its users.
type Harness struct {
	// Store is the store under test. Required.
	Store server.CredentialStore
	// NewUser creates a user who may own credentials and returns the user's handle
	// (server.User.ID). Zero means the store takes credentials of any handle, and Run
	// invents them.
	NewUser func(t testing.TB) []byte
}

// Run runs the checks as subtests, each on a harness of its own from newHarness.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			if h.Store == nil {
				t.Fatal("credstoretest: Harness.Store is nil")
			}
			if h.NewUser == nil {
				h.NewUser = func(testing.TB) []byte { return random(16) }
			}
			c.run(t, h)
		})
	}
}

var checks = []struct {
	name string
	run  func(t *testing.T, h Harness)
}{
	{"a credential is stored and found again", storedAndFound},
	{"an unknown ID is ErrUnknownCredential", unknown},
	{"an ID already stored is refused, for any user, and the row stays", duplicateRefused},
	{"of concurrent adds of one ID exactly one wins", duplicateConcurrent},
	{"the sign count is a compare-and-set", signCountCAS},
	{"a count of 0 (synced passkeys) updates again and again", signCountZero},
	{"of concurrent updates from one count exactly one wins", signCountConcurrent},
	{"the list holds only the user's credentials", listOwn},
	{"a rename reaches only the user's own credential", renameOwn},
	{"a delete reaches only the user's own credential", deleteOwn},
	{"the last credential is kept when asked, even against concurrent deletes", keepLast},
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// credential returns a new credential of user with sign count n.
func credential(user []byte, n uint32) *server.RegisteredCredential {
	return &server.RegisteredCredential{ID: random(32), PublicKey: random(77), SignCount: n, UserID: user,
		Transports: []string{"internal"}, AAGUID: make([]byte, 16), BackupEligible: true, BackupState: true}
}

func add(t *testing.T, h Harness, c *server.RegisteredCredential) {
	t.Helper()
	if err := h.Store.AddCredential(context.Background(), c.UserID, c); err != nil {
		t.Fatalf("AddCredential: %v", err)
	}
}

func get(t *testing.T, h Harness, id []byte) server.StoredCredential {
	t.Helper()
	c, err := h.Store.GetCredential(context.Background(), id)
	if err != nil || c == nil {
		t.Fatalf("GetCredential of a stored credential: %v %v", c, err)
	}
	return c
}

func storedAndFound(t *testing.T, h Harness) {
	u, other := h.NewUser(t), h.NewUser(t)
	c := credential(u, 3)
	add(t, h, c)
	got := get(t, h, c.ID)
	if !bytes.Equal(got.CredentialID(), c.ID) || !bytes.Equal(got.CredentialPublicKey(), c.PublicKey) ||
		got.CredentialSignCount() != 3 || !bytes.Equal(got.CredentialUserID(), u) {
		t.Fatalf("GetCredential returned ID %x, key equal %v, count %d, user %x; stored %x, count 3, user %x",
			got.CredentialID(), bytes.Equal(got.CredentialPublicKey(), c.PublicKey), got.CredentialSignCount(), got.CredentialUserID(), c.ID, u)
	}
	ids, err := h.Store.CredentialIDs(context.Background(), u)
	if err != nil || len(ids) != 1 || !bytes.Equal(ids[0], c.ID) {
		t.Fatalf("CredentialIDs of the owner: %x %v", ids, err)
	}
	if ids, err := h.Store.CredentialIDs(context.Background(), other); err != nil || len(ids) != 0 {
		t.Fatalf("CredentialIDs of another user: %x %v", ids, err)
	}
}

func unknown(t *testing.T, h Harness) {
	c, err := h.Store.GetCredential(context.Background(), random(32))
	if !errors.Is(err, server.ErrUnknownCredential) {
		t.Fatalf("GetCredential of an unknown ID: %v %v, want ErrUnknownCredential", c, err)
	}
}

func duplicateRefused(t *testing.T, h Harness) {
	victim, attacker := h.NewUser(t), h.NewUser(t)
	c := credential(victim, 1)
	add(t, h, c)
	for _, user := range [][]byte{attacker, victim} {
		dup := credential(user, 0)
		dup.ID = c.ID
		if err := h.Store.AddCredential(context.Background(), user, dup); !errors.Is(err, server.ErrCredentialExists) {
			t.Fatalf("AddCredential of an ID already stored: %v, want an error wrapping ErrCredentialExists", err)
		}
	}
	got := get(t, h, c.ID)
	if !bytes.Equal(got.CredentialUserID(), victim) || !bytes.Equal(got.CredentialPublicKey(), c.PublicKey) || got.CredentialSignCount() != 1 {
		t.Fatal("the refused add changed the stored row: another user could take over a credential")
	}
}

// together runs f n times at once and counts the nil answers.
func together(n int, f func(i int) error) (wins int, errs []error) {
	var ok atomic.Int32
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			if err := f(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			} else {
				ok.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(ok.Load()), errs
}

func duplicateConcurrent(t *testing.T, h Harness) {
	users := make([][]byte, 8)
	for i := range users {
		users[i] = h.NewUser(t)
	}
	for round := range 5 {
		id := random(32)
		wins, errs := together(len(users), func(i int) error {
			c := credential(users[i], 0)
			c.ID = id
			return h.Store.AddCredential(context.Background(), users[i], c)
		})
		if wins != 1 {
			t.Fatalf("round %d: %d of %d concurrent adds of one ID succeeded, want 1", round, wins, len(users))
		}
		for _, err := range errs {
			if !errors.Is(err, server.ErrCredentialExists) {
				t.Fatalf("round %d: a losing add answered %v, want ErrCredentialExists", round, err)
			}
		}
	}
}

func update(h Harness, c *server.RegisteredCredential, prev, next uint32) error {
	return h.Store.UpdateCredential(context.Background(), &server.AuthenticatedCredential{
		CredentialID: c.ID, UserID: c.UserID, SignCount: next, PreviousSignCount: prev, BackupEligible: true, BackupState: true})
}

func signCountCAS(t *testing.T, h Harness) {
	c := credential(h.NewUser(t), 5)
	add(t, h, c)
	if err := update(h, c, 5, 7); err != nil {
		t.Fatalf("UpdateCredential from the stored count: %v", err)
	}
	if n := get(t, h, c.ID).CredentialSignCount(); n != 7 {
		t.Fatalf("stored count %d after an update to 7", n)
	}
	if err := update(h, c, 5, 9); !errors.Is(err, server.ErrSignCountChanged) {
		t.Fatalf("UpdateCredential from a count no longer stored: %v, want ErrSignCountChanged", err)
	}
	if n := get(t, h, c.ID).CredentialSignCount(); n != 7 {
		t.Fatalf("a refused update changed the count to %d", n)
	}
}

func signCountZero(t *testing.T, h Harness) {
	c := credential(h.NewUser(t), 0)
	add(t, h, c)
	for i := range 3 {
		if err := update(h, c, 0, 0); err != nil {
			t.Fatalf("update %d from 0 to 0: %v", i, err)
		}
	}
}

func signCountConcurrent(t *testing.T, h Harness) {
	c := credential(h.NewUser(t), 7)
	add(t, h, c)
	for round := range 5 {
		from := uint32(7 + 100*round)
		wins, errs := together(8, func(i int) error { return update(h, c, from, from+100) })
		if wins != 1 {
			t.Fatalf("round %d: %d of 8 concurrent updates from count %d succeeded, want 1", round, wins, from)
		}
		for _, err := range errs {
			if !errors.Is(err, server.ErrSignCountChanged) {
				t.Fatalf("round %d: a losing update answered %v, want ErrSignCountChanged", round, err)
			}
		}
	}
}

func listOwn(t *testing.T, h Harness) {
	l, ok := h.Store.(server.CredentialLister)
	if !ok {
		t.Skip("the store is not a server.CredentialLister")
	}
	u, other := h.NewUser(t), h.NewUser(t)
	a, b := credential(u, 0), credential(u, 0)
	add(t, h, a)
	add(t, h, b)
	add(t, h, credential(other, 0))
	got, err := l.ListCredentials(context.Background(), u)
	if err != nil || len(got) != 2 {
		t.Fatalf("ListCredentials: %d credentials, %v; want the user's 2", len(got), err)
	}
	for _, c := range got {
		if !bytes.Equal(c.ID, a.ID) && !bytes.Equal(c.ID, b.ID) {
			t.Fatalf("ListCredentials returned %x, not the user's", c.ID)
		}
	}
}

func renameOwn(t *testing.T, h Harness) {
	r, ok := h.Store.(server.CredentialRenamer)
	if !ok {
		t.Skip("the store is not a server.CredentialRenamer")
	}
	u, other := h.NewUser(t), h.NewUser(t)
	c := credential(u, 0)
	add(t, h, c)
	if err := r.RenameCredential(context.Background(), other, c.ID, "mine now"); !errors.Is(err, server.ErrUnknownCredential) {
		t.Fatalf("RenameCredential of another user's credential: %v, want ErrUnknownCredential", err)
	}
	if err := r.RenameCredential(context.Background(), u, c.ID, "Work laptop"); err != nil {
		t.Fatalf("RenameCredential of one's own: %v", err)
	}
	if l, ok := h.Store.(server.CredentialLister); ok {
		got, err := l.ListCredentials(context.Background(), u)
		if err != nil || len(got) != 1 || got[0].Label != "Work laptop" {
			t.Fatalf("after the rename: %+v %v", got, err)
		}
	}
}

func deleteOwn(t *testing.T, h Harness) {
	d, ok := h.Store.(server.CredentialDeleter)
	if !ok {
		t.Skip("the store is not a server.CredentialDeleter")
	}
	u, other := h.NewUser(t), h.NewUser(t)
	c := credential(u, 0)
	add(t, h, c)
	add(t, h, credential(u, 0))
	if err := d.DeleteCredential(context.Background(), other, c.ID, false); !errors.Is(err, server.ErrUnknownCredential) {
		t.Fatalf("DeleteCredential of another user's credential: %v, want ErrUnknownCredential", err)
	}
	get(t, h, c.ID)
	if err := d.DeleteCredential(context.Background(), u, c.ID, false); err != nil {
		t.Fatalf("DeleteCredential of one's own: %v", err)
	}
	if _, err := h.Store.GetCredential(context.Background(), c.ID); !errors.Is(err, server.ErrUnknownCredential) {
		t.Fatalf("GetCredential after the delete: %v, want ErrUnknownCredential", err)
	}
}

func keepLast(t *testing.T, h Harness) {
	d, ok := h.Store.(server.CredentialDeleter)
	if !ok {
		t.Skip("the store is not a server.CredentialDeleter")
	}
	u := h.NewUser(t)
	only := credential(u, 0)
	add(t, h, only)
	if err := d.DeleteCredential(context.Background(), u, only.ID, true); !errors.Is(err, server.ErrLastCredential) {
		t.Fatalf("DeleteCredential of the last credential with keepLast: %v, want ErrLastCredential", err)
	}
	get(t, h, only.ID)
	for round := range 5 {
		v := h.NewUser(t)
		cs := []*server.RegisteredCredential{credential(v, 0), credential(v, 0)}
		for _, c := range cs {
			add(t, h, c)
		}
		wins, errs := together(2, func(i int) error { return d.DeleteCredential(context.Background(), v, cs[i].ID, true) })
		ids, err := h.Store.CredentialIDs(context.Background(), v)
		if wins != 1 || err != nil || len(ids) != 1 {
			t.Fatalf("round %d: %d of 2 concurrent deletes of a user's last two succeeded, %d left (%v)", round, wins, len(ids), err)
		}
		for _, err := range errs {
			if !errors.Is(err, server.ErrLastCredential) {
				t.Fatalf("round %d: the losing delete answered %v, want ErrLastCredential", round, err)
			}
		}
	}
	if err := d.DeleteCredential(context.Background(), u, only.ID, false); err != nil {
		t.Fatalf("DeleteCredential of the last credential without keepLast: %v", err)
	}
}
