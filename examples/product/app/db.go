package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chirpkit/passkeys/server"
	"modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The tables. A user has a password (password_hash), passkeys, or both. A passkey-only
// sign-up makes a pending user first (pending_until set): the account becomes real when
// its first passkey is stored (AddCredential clears pending_until in the same
// transaction), and an abandoned one is deleted after pendingFor (purgePending), which
// frees its username.
const schema = `
CREATE TABLE IF NOT EXISTS users (
	id                INTEGER PRIMARY KEY,
	username          TEXT NOT NULL UNIQUE,
	password_hash     BLOB,
	webauthn_id       BLOB NOT NULL UNIQUE,
	pending_until     INTEGER,
	upgrade_dismissed INTEGER NOT NULL DEFAULT 0,
	created_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS users_pending ON users(pending_until) WHERE pending_until IS NOT NULL;
CREATE TABLE IF NOT EXISTS passkeys (
	credential_id   BLOB PRIMARY KEY,
	user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	public_key      BLOB NOT NULL,
	sign_count      INTEGER NOT NULL,
	transports      TEXT NOT NULL DEFAULT '',
	aaguid          BLOB,
	backup_eligible INTEGER NOT NULL,
	backup_state    INTEGER NOT NULL,
	label           TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	last_used_at    INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_user ON passkeys(user_id);
CREATE TABLE IF NOT EXISTS sessions (
	token         TEXT PRIMARY KEY,
	user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf          TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	last_seen_at  INTEGER NOT NULL,
	offer_upgrade INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_created ON sessions(created_at);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions(last_seen_at);
CREATE TABLE IF NOT EXISTS secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
`

// openDB opens (and creates) the SQLite database at path.
func openDB(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection: SQLite serialises writers anyway, and so no "database is locked".
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create schema in %s: %w", path, err)
	}
	return db, nil
}

// secret returns the app's HMAC key, made on first use and kept in the database, so that
// every instance on one database shares it and it survives restarts.
func secret(db *sql.DB) ([]byte, error) {
	if _, err := db.Exec("INSERT OR IGNORE INTO secrets (name, value) VALUES ('hmac', ?)", randomBytes(32)); err != nil {
		return nil, err
	}
	var key []byte
	err := db.QueryRow("SELECT value FROM secrets WHERE name = 'hmac'").Scan(&key)
	return key, err
}

func isConstraint(err error, code int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == code
}

type user struct {
	ID               int64
	Username         string
	Hash             []byte // nil: no password (a passkey-only account)
	WebAuthnID       []byte
	Pending          bool // a passkey sign-up whose passkey is not stored yet
	UpgradeDismissed bool
}

// HasPassword reports whether the user can sign in with a password.
func (u *user) HasPassword() bool { return len(u.Hash) > 0 }

var errNoUser = errors.New("no such user")

func (a *App) userBy(ctx context.Context, column string, v any) (*user, error) {
	u := &user{}
	var pending sql.NullInt64
	err := a.db.QueryRowContext(ctx, "SELECT id, username, password_hash, webauthn_id, pending_until, upgrade_dismissed FROM users WHERE "+column+" = ?", v).
		Scan(&u.ID, &u.Username, &u.Hash, &u.WebAuthnID, &pending, &u.UpgradeDismissed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoUser
	}
	u.Pending = pending.Valid
	return u, err
}

// pendingFor is how long a passkey-only sign-up may take to store its passkey; after
// that the pending account is deleted and its username is free again.
const pendingFor = 15 * time.Minute

// purgePending deletes up to purgeBatch pending accounts whose time is up.
func (a *App) purgePending(ctx context.Context) error {
	_, err := a.db.ExecContext(ctx, `DELETE FROM users WHERE id IN
		(SELECT id FROM users WHERE pending_until IS NOT NULL AND pending_until <= ? LIMIT ?)`, a.now().Unix(), purgeBatch)
	return err
}

// errUsernameTaken: the username belongs to an account (or a pending sign-up).
var errUsernameTaken = errors.New("username taken")

// createUser stores a new account: with a password hash, or pending (hash nil) until its
// first passkey is stored. Abandoned sign-ups are purged first, so that their usernames
// are free.
func (a *App) createUser(ctx context.Context, name string, hash []byte) (int64, error) {
	if err := a.purgePending(ctx); err != nil {
		return 0, err
	}
	now := a.now()
	var pending any
	if hash == nil {
		pending = now.Add(pendingFor).Unix()
	}
	res, err := a.db.ExecContext(ctx, "INSERT INTO users (username, password_hash, webauthn_id, pending_until, created_at) VALUES (?, ?, ?, ?, ?)",
		name, hash, randomBytes(32), pending, now.Unix())
	if isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
		return 0, errUsernameTaken
	}
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// passkey is a row of the passkeys table. It implements server.StoredCredential and
// server.StoredFlags: the app owns the row, the library reads it.
type passkey struct {
	ID             []byte
	UserID         int64
	UserHandle     []byte
	PublicKey      []byte
	SignCount      uint32
	Transports     string
	AAGUID         []byte
	BackupEligible bool
	BackupState    bool
	Label          string
	CreatedAt      time.Time
	LastUsedAt     time.Time // zero: never used
}

func (p *passkey) CredentialID() []byte           { return p.ID }
func (p *passkey) CredentialPublicKey() []byte    { return p.PublicKey }
func (p *passkey) CredentialSignCount() uint32    { return p.SignCount }
func (p *passkey) CredentialUserID() []byte       { return p.UserHandle }
func (p *passkey) CredentialBackupEligible() bool { return p.BackupEligible }
func (p *passkey) CredentialBackupState() bool    { return p.BackupState }

const passkeyColumns = `p.credential_id, p.user_id, u.webauthn_id, p.public_key, p.sign_count, p.transports,
	p.aaguid, p.backup_eligible, p.backup_state, p.label, p.created_at, p.last_used_at`

func scanPasskey(row interface{ Scan(...any) error }) (*passkey, error) {
	p := &passkey{}
	var created int64
	var lastUsed sql.NullInt64
	if err := row.Scan(&p.ID, &p.UserID, &p.UserHandle, &p.PublicKey, &p.SignCount, &p.Transports,
		&p.AAGUID, &p.BackupEligible, &p.BackupState, &p.Label, &created, &lastUsed); err != nil {
		return nil, err
	}
	p.CreatedAt = time.Unix(created, 0)
	if lastUsed.Valid {
		p.LastUsedAt = time.Unix(lastUsed.Int64, 0)
	}
	return p, nil
}

// passkeysOf returns the passkeys of the user with handle userHandle, oldest first.
func (a *App) passkeysOf(ctx context.Context, userHandle []byte) ([]*passkey, error) {
	rows, err := a.db.QueryContext(ctx,
		"SELECT "+passkeyColumns+" FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.webauthn_id = ? ORDER BY p.created_at, p.rowid", userHandle)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// store is the passkeys table as server.Routes uses it: a server.CredentialStore with
// the optional CredentialLister, CredentialRenamer and CredentialDeleter, so that Routes
// answers the settings page's list, rename and delete too. Users are named by their
// handle (webauthn_id), as the library knows them.
type store struct{ a *App }

var (
	_ server.CredentialStore   = store{}
	_ server.CredentialLister  = store{}
	_ server.CredentialRenamer = store{}
	_ server.CredentialDeleter = store{}
)

// AddCredential stores a new passkey and, in the same transaction, makes a pending
// account real: a passkey-only sign-up is complete when its first passkey is stored.
// The primary key decides a credential ID stored already.
func (s store) AddCredential(ctx context.Context, userHandle []byte, c *server.RegisteredCredential) error {
	tx, err := s.a.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE webauthn_id = ?", userHandle).Scan(&id); err != nil {
		return fmt.Errorf("the user of a new passkey: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO passkeys
		(credential_id, user_id, public_key, sign_count, transports, aaguid, backup_eligible, backup_state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, id, c.PublicKey, c.SignCount, strings.Join(c.Transports, ","), c.AAGUID, c.BackupEligible, c.BackupState, s.a.now().Unix())
	if isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return server.ErrCredentialExists
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET pending_until = NULL WHERE id = ?", id); err != nil {
		return err
	}
	return tx.Commit()
}

// GetCredential returns the passkey row with this credential ID.
func (s store) GetCredential(ctx context.Context, id []byte) (server.StoredCredential, error) {
	p, err := scanPasskey(s.a.db.QueryRowContext(ctx,
		"SELECT "+passkeyColumns+" FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.ErrUnknownCredential
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateCredential stores the sign count of a sign-in as a compare-and-set against the
// count the verification read.
func (s store) UpdateCredential(ctx context.Context, c *server.AuthenticatedCredential) error {
	res, err := s.a.db.ExecContext(ctx, `UPDATE passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
		WHERE credential_id = ? AND sign_count = ?`,
		c.SignCount, c.BackupState, s.a.now().Unix(), c.CredentialID, c.PreviousSignCount)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var exists bool
	if err := s.a.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM passkeys WHERE credential_id = ?)", c.CredentialID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return server.ErrUnknownCredential
	}
	return server.ErrSignCountChanged
}

// CredentialIDs lists the IDs of the user's passkeys (the exclude list of a registration).
func (s store) CredentialIDs(ctx context.Context, userHandle []byte) ([][]byte, error) {
	keys, err := s.a.passkeysOf(ctx, userHandle)
	ids := make([][]byte, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids, err
}

// ListCredentials returns what the settings page shows of the user's passkeys.
func (s store) ListCredentials(ctx context.Context, userHandle []byte) ([]server.CredentialInfo, error) {
	keys, err := s.a.passkeysOf(ctx, userHandle)
	out := make([]server.CredentialInfo, len(keys))
	for i, k := range keys {
		out[i] = k.info()
	}
	return out, err
}

func (p *passkey) info() server.CredentialInfo {
	var tr []string
	if p.Transports != "" {
		tr = strings.Split(p.Transports, ",")
	}
	return server.CredentialInfo{ID: p.ID, Label: p.Label, AAGUID: p.AAGUID, BackupEligible: p.BackupEligible,
		BackupState: p.BackupState, Transports: tr, Created: p.CreatedAt, LastUsed: p.LastUsedAt}
}

// RenameCredential sets the label of one of the user's passkeys.
func (s store) RenameCredential(ctx context.Context, userHandle, credentialID []byte, label string) error {
	res, err := s.a.db.ExecContext(ctx, `UPDATE passkeys SET label = ?
		WHERE credential_id = ? AND user_id = (SELECT id FROM users WHERE webauthn_id = ?)`, label, credentialID, userHandle)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return server.ErrUnknownCredential
}

// DeleteCredential deletes one of the user's passkeys; with keepLast, not the last one.
// The count is part of the DELETE, so two deletes at once of a user's last two passkeys
// cannot both win.
func (s store) DeleteCredential(ctx context.Context, userHandle, credentialID []byte, keepLast bool) error {
	res, err := s.a.db.ExecContext(ctx, `DELETE FROM passkeys
		WHERE credential_id = ? AND user_id = (SELECT id FROM users WHERE webauthn_id = ?)
		AND (NOT ? OR (SELECT count(*) FROM passkeys WHERE user_id = (SELECT id FROM users WHERE webauthn_id = ?)) > 1)`,
		credentialID, userHandle, keepLast, userHandle)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var mine bool
	if err := s.a.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM passkeys
		WHERE credential_id = ? AND user_id = (SELECT id FROM users WHERE webauthn_id = ?))`, credentialID, userHandle).Scan(&mine); err != nil {
		return err
	}
	if mine {
		return server.ErrLastCredential
	}
	return server.ErrUnknownCredential
}
