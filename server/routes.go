package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

// CredentialStore is the app's credential table, as Routes uses it. The app owns the
// rows; these four methods are all the routes need. The package credstoretest checks
// the semantics they document on a store, concurrent writers included: run it against
// your database.
type CredentialStore interface {
	// AddCredential stores a new credential of the user with handle userID. When a
	// credential with this ID is already stored, for this user or another, it stores
	// nothing and returns an error wrapping ErrCredentialExists. The check and the insert
	// are one atomic step (a primary key or unique index on the ID, not a read before the
	// write), so that of two concurrent adds of one ID exactly one succeeds.
	AddCredential(ctx context.Context, userID []byte, c *RegisteredCredential) error
	// GetCredential returns the credential with this ID, or ErrUnknownCredential.
	GetCredential(ctx context.Context, id []byte) (StoredCredential, error)
	// UpdateCredential stores the new sign count (and backup state) of a credential that
	// was just used, and when it was used, as a compare-and-set: only while the stored
	// sign count is still c.PreviousSignCount, the one this sign-in read. Otherwise
	// (another sign-in with the same counter got there first) it changes nothing and
	// returns an error wrapping ErrSignCountChanged. In SQL:
	//
	//	UPDATE credentials SET sign_count = ?, backup_state = ?, last_used = ?
	//	WHERE id = ? AND sign_count = ?   -- the new count, …, the ID, PreviousSignCount
	//
	// and ErrSignCountChanged when no row changed.
	UpdateCredential(ctx context.Context, c *AuthenticatedCredential) error
	// CredentialIDs lists the IDs of the user's credentials.
	CredentialIDs(ctx context.Context, userID []byte) ([][]byte, error)
}

// Routes is a ready set of the four POST endpoints, for apps that want them:
//
//	{Prefix}/register/begin    {Prefix}/register/finish
//	{Prefix}/login/begin       {Prefix}/login/finish
//
// and, for a settings page, the ones the CredentialStore supports through its optional
// interfaces (CredentialLister, CredentialRenamer, CredentialDeleter), for the signed-in
// user's own passkeys, each a POST of JSON:
//
//	{Prefix}/credentials/list      {}                          → {"credentials": [{id, label, provider, synced, …}]}
//	{Prefix}/credentials/rename    {"id": "…", "label": "…"}   → {"ok": true}
//	{Prefix}/credentials/delete    {"id": "…"}                 → {"ok": true}, or 409 last_credential
//
// Routes is an http.Handler that mounts on any router: on an http.ServeMux with
// Mount (or mux.Handle(prefix+"/", routes)), on chi with r.Mount(prefix, routes) or
// r.Handle, on gin with github.com/chirpkit/passkeys/ginpasskeys. It answers the four
// paths (POST only: other methods get 405 method_not_allowed) and 404 for any other.
// They are protected against cross-site requests with http.CrossOriginProtection by
// default, and work beside token CSRF: the bridge sends the page's
// <meta name="csrf-token"> as X-CSRF-Token, for the app's own middleware to check.
//
// Set the fields before the first request; a Routes must not be copied after that.
type Routes struct {
	// Server runs the ceremonies. Required.
	Server *Server
	// Credentials is the app's credential store. Required.
	Credentials CredentialStore
	// CurrentUser returns the signed-in user, or nil when nobody is signed in (the
	// register routes then answer 401 login_required). Required.
	CurrentUser func(r *http.Request) (*User, error)
	// Login signs in the user with handle userID after a passkey sign-in (the app
	// renews its session here) and returns where the browser should go next ("" for
	// nowhere). Required.
	Login func(w http.ResponseWriter, r *http.Request, userID []byte) (redirect string, err error)
	// AllowList, if set, enables username-first sign-in: a login/begin body
	// {"username": "…"} gets an allow list of the IDs it returns. Zero means every
	// sign-in is usernameless. So that the answer does not tell who has an account, a
	// username without credentials (AllowList returns none, or ErrUnknownCredential) gets
	// the same 200 with an allow list of one 32-byte ID that no authenticator holds,
	// derived from the username with a key of this Server (stable for a username as long
	// as the process runs); the browser then finds no passkey, as it does for a user whose
	// passkeys are on another device.
	AllowList func(ctx context.Context, username string) ([][]byte, error)
	// HasOtherSignIn reports whether the user can sign in without passkeys (a password,
	// say). When it does not (or HasOtherSignIn is nil), deleting the user's last passkey
	// is refused with 409 last_credential.
	HasOtherSignIn func(r *http.Request, userID []byte) (bool, error)
	// Prefix of the paths. Zero means "/auth/passkey".
	Prefix string
	// CrossOrigin protects the routes against cross-site requests. Zero means
	// http.NewCrossOriginProtection(); add trusted origins or bypasses to your own.
	CrossOrigin *http.CrossOriginProtection

	once  sync.Once
	table map[string]http.Handler
}

func (rt *Routes) prefix() string {
	if rt.Prefix == "" {
		return "/auth/passkey"
	}
	return strings.TrimSuffix(rt.Prefix, "/")
}

// handlers returns the handlers of endpoints by path, each behind cross-origin protection.
func (rt *Routes) handlers() map[string]http.Handler {
	rt.once.Do(func() {
		if rt.Server == nil || rt.Credentials == nil || rt.CurrentUser == nil || rt.Login == nil {
			panic("passkeys: Routes needs Server, Credentials, CurrentUser and Login")
		}
		cop := rt.CrossOrigin
		if cop == nil {
			cop = http.NewCrossOriginProtection()
		}
		rt.table = make(map[string]http.Handler)
		for _, e := range rt.endpoints() {
			rt.table[e.path] = cop.Handler(e.serve)
		}
	})
	return rt.table
}

// Paths returns the paths the routes answer (POST), for adapters that register each path
// with their router: the four ceremony paths, then the credential management paths that
// the CredentialStore supports (list, rename, delete).
func (rt *Routes) Paths() []string {
	var paths []string
	for _, e := range rt.endpoints() {
		paths = append(paths, e.path)
	}
	return paths
}

// endpoint is one POST path of Routes and its handler.
type endpoint struct {
	path  string
	serve http.HandlerFunc
}

// endpoints lists the paths Routes answers, in the order of Paths: the four ceremonies,
// then the management paths that the CredentialStore's optional interfaces allow.
func (rt *Routes) endpoints() []endpoint {
	p := rt.prefix()
	es := []endpoint{
		{p + "/register/begin", rt.registerBegin},
		{p + "/register/finish", rt.registerFinish},
		{p + "/login/begin", rt.loginBegin},
		{p + "/login/finish", rt.loginFinish},
	}
	if _, ok := rt.Credentials.(CredentialLister); ok {
		es = append(es, endpoint{p + "/credentials/list", rt.listCredentials})
	}
	if _, ok := rt.Credentials.(CredentialRenamer); ok {
		es = append(es, endpoint{p + "/credentials/rename", rt.renameCredential})
	}
	if _, ok := rt.Credentials.(CredentialDeleter); ok {
		es = append(es, endpoint{p + "/credentials/delete", rt.deleteCredential})
	}
	return es
}

// ServeHTTP implements http.Handler: it answers the four paths (POST only), WellKnownPath
// when the Server has Config.RelatedOrigins (mounted at the root), and 404 for any other
// path.
func (rt *Routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == WellKnownPath && len(rt.Server.cfg.RelatedOrigins) > 0 {
		rt.Server.WellKnown().ServeHTTP(w, r)
		return
	}
	h, ok := rt.handlers()[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		_ = rt.Server.fail(w, r, "Routes", newError(CodeMethodNotAllowed, "Use POST.", nil))
		return
	}
	h.ServeHTTP(w, r)
}

// Mount adds the four routes (POST only) to mux, and GET WellKnownPath when the Server
// has Config.RelatedOrigins.
func (rt *Routes) Mount(mux *http.ServeMux) {
	for path, h := range rt.handlers() {
		mux.Handle("POST "+path, h)
	}
	if len(rt.Server.cfg.RelatedOrigins) > 0 {
		mux.Handle("GET "+WellKnownPath, rt.Server.WellKnown())
	}
}

// signedIn returns the current user or answers 401.
func (rt *Routes) signedIn(w http.ResponseWriter, r *http.Request, verb string) *User {
	u, err := rt.CurrentUser(r)
	if err != nil {
		_ = rt.Server.fail(w, r, verb, newError(CodeInternal, "Internal error.", err))
		return nil
	}
	if u == nil {
		_ = rt.Server.fail(w, r, verb, newError(CodeLoginRequired, "Sign in first.", nil))
	}
	return u
}

func (rt *Routes) internal(w http.ResponseWriter, r *http.Request, verb string, err error) {
	_ = rt.Server.fail(w, r, verb, newError(CodeInternal, "Internal error.", err))
}

func (rt *Routes) registerBegin(w http.ResponseWriter, r *http.Request) {
	u := rt.signedIn(w, r, "BeginRegistration")
	if u == nil {
		return
	}
	var body registerBeginBody
	if !rt.readBeginBody(w, r, "BeginRegistration", &body) {
		return
	}
	ids, err := rt.Credentials.CredentialIDs(r.Context(), u.ID)
	if err != nil {
		rt.internal(w, r, "BeginRegistration", err)
		return
	}
	_ = rt.Server.BeginRegistration(w, r, *u, RegistrationOptions{ExcludeCredentials: ids, Conditional: body.Conditional})
}

// registerBeginBody is the optional JSON body of register/begin: {"conditional": true}
// begins a conditional create (the automatic passkey upgrade after a password sign-in,
// the bridge's registerWith({conditional: true, body: {conditional: true}})), whose
// response may come without user presence; the finish accepts that only for a ceremony
// begun so.
type registerBeginBody struct {
	Conditional bool `json:"conditional"`
}

// readBeginBody reads the optional JSON body of a begin (empty, or a JSON object of at
// most 4 KiB) into v, or answers 413 or 400 and returns false.
func (rt *Routes) readBeginBody(w http.ResponseWriter, r *http.Request, verb string, v any) bool {
	if r.Body == nil {
		return true
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		_ = rt.Server.fail(w, r, verb, newError(CodePayloadTooLarge, "The body is too large.", err))
		return false
	}
	if len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, v); err != nil {
			_ = rt.Server.fail(w, r, verb, newError(CodeBadRequest, "Send a JSON object, or nothing.", err))
			return false
		}
	}
	return true
}

func (rt *Routes) registerFinish(w http.ResponseWriter, r *http.Request) {
	const verb = "FinishRegistration"
	u := rt.signedIn(w, r, verb)
	if u == nil {
		return
	}
	c, err := rt.Server.FinishRegistration(w, r)
	if err != nil {
		return
	}
	if string(c.UserID) != string(u.ID) {
		_ = rt.Server.fail(w, r, verb, newError(CodeUserMismatch, "This ceremony was begun for another account.", nil))
		return
	}
	// The spec (registration, step 22): refuse a credential ID that is already registered,
	// to this user or any other. The lookup answers the common case with a clear code; the
	// store's atomic insert decides a race.
	if old, err := rt.Credentials.GetCredential(r.Context(), c.ID); err == nil && old != nil {
		rt.credentialExists(w, r)
		return
	} else if err != nil && !errors.Is(err, ErrUnknownCredential) {
		rt.internal(w, r, verb, err)
		return
	}
	if err := rt.Credentials.AddCredential(r.Context(), u.ID, c); errors.Is(err, ErrCredentialExists) {
		rt.credentialExists(w, r)
		return
	} else if err != nil {
		rt.internal(w, r, verb, err)
		return
	}
	_ = WriteJSON(w, map[string]bool{"ok": true})
}

func (rt *Routes) credentialExists(w http.ResponseWriter, r *http.Request) {
	_ = rt.Server.fail(w, r, "FinishRegistration", newError(CodeCredentialExists, "This passkey is already registered.", nil))
}

// loginBeginBody is the optional JSON body of login/begin.
type loginBeginBody struct {
	Username    string `json:"username"`
	Conditional bool   `json:"conditional"`
}

func (rt *Routes) loginBegin(w http.ResponseWriter, r *http.Request) {
	const verb = "BeginAuthentication"
	var body loginBeginBody
	if !rt.readBeginBody(w, r, verb, &body) {
		return
	}
	opts := AuthenticationOptions{Conditional: body.Conditional}
	if body.Username != "" && rt.AllowList != nil {
		ids, err := rt.AllowList(r.Context(), body.Username)
		if err != nil && !errors.Is(err, ErrUnknownCredential) {
			rt.internal(w, r, verb, err)
			return
		}
		if len(ids) == 0 {
			// An unknown user and a user without passkeys get what a user with passkeys
			// gets: 200 and an allow list, of one ID that no authenticator holds.
			ids = [][]byte{rt.Server.decoyCredentialID(body.Username)}
		}
		opts.AllowCredentials = ids
	}
	_ = rt.Server.BeginAuthentication(w, r, opts)
}

func (rt *Routes) loginFinish(w http.ResponseWriter, r *http.Request) {
	const verb = "FinishAuthentication"
	got, err := rt.Server.FinishAuthentication(w, r, rt.Credentials.GetCredential)
	if err != nil {
		return
	}
	if err := rt.Credentials.UpdateCredential(r.Context(), got); errors.Is(err, ErrSignCountChanged) {
		// Another sign-in with this credential and this counter value won: one of the two
		// came from a copy of the authenticator.
		_ = rt.Server.fail(w, r, verb, newError(CodeSignCountRegressed,
			"This passkey's signature counter was already used; it may have been cloned.", err))
		return
	} else if err != nil {
		rt.internal(w, r, verb, err)
		return
	}
	redirect, err := rt.Login(w, r, got.UserID)
	if err != nil {
		rt.internal(w, r, verb, err)
		return
	}
	answer := map[string]any{"ok": true}
	if redirect != "" {
		answer["redirect"] = redirect
	}
	_ = WriteJSON(w, answer)
}
