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
// rows; these four methods are all the routes need.
type CredentialStore interface {
	// AddCredential stores a new credential of the user with handle userID.
	AddCredential(ctx context.Context, userID []byte, c *RegisteredCredential) error
	// GetCredential returns the credential with this ID, or ErrUnknownCredential.
	GetCredential(ctx context.Context, id []byte) (StoredCredential, error)
	// UpdateCredential stores the new sign count (and backup state) of a credential
	// that was just used, and when it was used.
	UpdateCredential(ctx context.Context, c *AuthenticatedCredential) error
	// CredentialIDs lists the IDs of the user's credentials.
	CredentialIDs(ctx context.Context, userID []byte) ([][]byte, error)
}

// Routes is a ready set of the four POST endpoints, for apps that want them:
//
//	{Prefix}/register/begin    {Prefix}/register/finish
//	{Prefix}/login/begin       {Prefix}/login/finish
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
	// sign-in is usernameless.
	AllowList func(ctx context.Context, username string) ([][]byte, error)
	// Prefix of the four paths. Zero means "/auth/passkey".
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

// handlers returns the four handlers by path, each behind cross-origin protection.
func (rt *Routes) handlers() map[string]http.Handler {
	rt.once.Do(func() {
		if rt.Server == nil || rt.Credentials == nil || rt.CurrentUser == nil || rt.Login == nil {
			panic("passkeys: Routes needs Server, Credentials, CurrentUser and Login")
		}
		cop := rt.CrossOrigin
		if cop == nil {
			cop = http.NewCrossOriginProtection()
		}
		p := rt.prefix()
		rt.table = map[string]http.Handler{
			p + "/register/begin":  cop.Handler(http.HandlerFunc(rt.registerBegin)),
			p + "/register/finish": cop.Handler(http.HandlerFunc(rt.registerFinish)),
			p + "/login/begin":     cop.Handler(http.HandlerFunc(rt.loginBegin)),
			p + "/login/finish":    cop.Handler(http.HandlerFunc(rt.loginFinish)),
		}
	})
	return rt.table
}

// Paths returns the four paths the routes answer, for adapters that register each path
// with their router.
func (rt *Routes) Paths() []string {
	p := rt.prefix()
	return []string{p + "/register/begin", p + "/register/finish", p + "/login/begin", p + "/login/finish"}
}

// ServeHTTP implements http.Handler: it answers the four paths (POST only) and 404
// for any other path.
func (rt *Routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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

// Mount adds the four routes (POST only) to mux.
func (rt *Routes) Mount(mux *http.ServeMux) {
	for path, h := range rt.handlers() {
		mux.Handle("POST "+path, h)
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
	ids, err := rt.Credentials.CredentialIDs(r.Context(), u.ID)
	if err != nil {
		rt.internal(w, r, "BeginRegistration", err)
		return
	}
	_ = rt.Server.BeginRegistration(w, r, *u, RegistrationOptions{ExcludeCredentials: ids})
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
	if err := rt.Credentials.AddCredential(r.Context(), u.ID, c); err != nil {
		rt.internal(w, r, verb, err)
		return
	}
	_ = WriteJSON(w, map[string]bool{"ok": true})
}

// loginBeginBody is the optional JSON body of login/begin.
type loginBeginBody struct {
	Username    string `json:"username"`
	Conditional bool   `json:"conditional"`
}

func (rt *Routes) loginBegin(w http.ResponseWriter, r *http.Request) {
	const verb = "BeginAuthentication"
	var body loginBeginBody
	if r.Body != nil {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
		if err != nil {
			_ = rt.Server.fail(w, r, verb, newError(CodePayloadTooLarge, "The body is too large.", err))
			return
		}
		if len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				_ = rt.Server.fail(w, r, verb, newError(CodeBadRequest, "Send a JSON object, or nothing.", err))
				return
			}
		}
	}
	opts := AuthenticationOptions{Conditional: body.Conditional}
	if body.Username != "" && rt.AllowList != nil {
		ids, err := rt.AllowList(r.Context(), body.Username)
		if err != nil && !errors.Is(err, ErrUnknownCredential) {
			rt.internal(w, r, verb, err)
			return
		}
		if len(ids) == 0 {
			// An unknown user and a user without passkeys look alike.
			_ = rt.Server.fail(w, r, verb, newError(CodeUnknownCredential, "No passkey is registered for that username.", nil))
			return
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
	if err := rt.Credentials.UpdateCredential(r.Context(), got); err != nil {
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
