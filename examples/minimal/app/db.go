package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chirpkit/passkeys/providers"
	"github.com/chirpkit/passkeys/server"
	"modernc.org/sqlite" // pure-Go SQLite driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const schema = `
CREATE TABLE IF NOT EXISTS users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	password_hash BLOB NOT NULL,
	webauthn_id   BLOB NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS passkeys (
	credential_id   BLOB PRIMARY KEY,
	user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	public_key      BLOB NOT NULL,
	sign_count      INTEGER NOT NULL,
	transports      TEXT NOT NULL DEFAULT '',
	aaguid          BLOB,
	backup_eligible INTEGER NOT NULL,
	backup_state    INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	last_used_at    INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_user ON passkeys(user_id);
CREATE TABLE IF NOT EXISTS sessions (
	token        TEXT PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf         TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_created ON sessions(created_at);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions(last_seen_at);
CREATE TABLE IF NOT EXISTS secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
`

// oldSessions is true when the sessions table has the layout of earlier versions (a row
// per visitor, no last_seen_at). Sessions are disposable: such a table is dropped and
// everyone signs in again.
const oldSessions = `SELECT EXISTS (SELECT 1 FROM pragma_table_info('sessions'))
	AND NOT EXISTS (SELECT 1 FROM pragma_table_info('sessions') WHERE name = 'last_seen_at')`

// openDB opens (and creates) the SQLite database at path.
func openDB(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection: SQLite serialises writers anyway, and this keeps the demo free of
	// "database is locked" under concurrent tests.
	db.SetMaxOpenConns(1)
	var old bool
	if err := db.QueryRow(oldSessions).Scan(&old); err != nil {
		db.Close()
		return nil, fmt.Errorf("inspect %s: %w", path, err)
	}
	if old {
		if _, err := db.Exec("DROP TABLE IF EXISTS sessions"); err != nil {
			db.Close()
			return nil, fmt.Errorf("drop the old sessions table of %s: %w", path, err)
		}
	}
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

// isConstraint reports whether err is SQLite's error for a violation of the given
// extended constraint code (sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, ..._UNIQUE).
func isConstraint(err error, code int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == code
}

type user struct {
	ID         int64
	Username   string
	Hash       []byte
	WebAuthnID []byte
}

var errNoUser = errors.New("no such user")

func (a *App) userBy(ctx context.Context, column string, v any) (*user, error) {
	u := &user{}
	err := a.db.QueryRowContext(ctx, "SELECT id, username, password_hash, webauthn_id FROM users WHERE "+column+" = ?", v).
		Scan(&u.ID, &u.Username, &u.Hash, &u.WebAuthnID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoUser
	}
	return u, err
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
	CreatedAt      time.Time
	LastUsedAt     *time.Time
}

// Provider names the passkey's provider from its AAGUID ("Google Password Manager",
// "Windows Hello", …), or "Passkey" when the authenticator does not say or is not listed.
func (p *passkey) Provider() string {
	if name := providers.Name(p.AAGUID); name != "" {
		return name
	}
	return "Passkey"
}

// The passkey row implements server.StoredCredential and server.StoredFlags.

func (p *passkey) CredentialID() []byte           { return p.ID }
func (p *passkey) CredentialPublicKey() []byte    { return p.PublicKey }
func (p *passkey) CredentialSignCount() uint32    { return p.SignCount }
func (p *passkey) CredentialUserID() []byte       { return p.UserHandle }
func (p *passkey) CredentialBackupEligible() bool { return p.BackupEligible }
func (p *passkey) CredentialBackupState() bool    { return p.BackupState }

const passkeyColumns = `p.credential_id, p.user_id, u.webauthn_id, p.public_key, p.sign_count, p.transports,
	p.aaguid, p.backup_eligible, p.backup_state, p.created_at, p.last_used_at`

func scanPasskey(row interface{ Scan(...any) error }) (*passkey, error) {
	p := &passkey{}
	var created int64
	var lastUsed sql.NullInt64
	if err := row.Scan(&p.ID, &p.UserID, &p.UserHandle, &p.PublicKey, &p.SignCount, &p.Transports,
		&p.AAGUID, &p.BackupEligible, &p.BackupState, &created, &lastUsed); err != nil {
		return nil, err
	}
	p.CreatedAt = time.Unix(created, 0)
	if lastUsed.Valid {
		t := time.Unix(lastUsed.Int64, 0)
		p.LastUsedAt = &t
	}
	return p, nil
}

// lookupPasskey returns the passkey row with the credential ID id, or
// server.ErrUnknownCredential (loginFinish makes the server.LookupFunc of it).
func (a *App) lookupPasskey(ctx context.Context, id []byte) (*passkey, error) {
	p, err := scanPasskey(a.db.QueryRowContext(ctx,
		"SELECT "+passkeyColumns+" FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.ErrUnknownCredential
	}
	return p, err
}

func (a *App) passkeysOf(ctx context.Context, userID int64) ([]*passkey, error) {
	rows, err := a.db.QueryContext(ctx,
		"SELECT "+passkeyColumns+" FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.user_id = ? ORDER BY p.created_at, p.rowid", userID)
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

// errCredentialExists: the credential ID is in the table already (another user's, or
// this user's).
var errCredentialExists = errors.New("credential ID already registered")

// addPasskey stores a new credential, or returns errCredentialExists and stores nothing.
// The primary key decides, not a lookup before the INSERT: of two registrations of one
// credential ID at once, exactly one INSERT wins.
func (a *App) addPasskey(ctx context.Context, userID int64, c *server.RegisteredCredential) error {
	_, err := a.db.ExecContext(ctx, `INSERT INTO passkeys
		(credential_id, user_id, public_key, sign_count, transports, aaguid, backup_eligible, backup_state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, userID, c.PublicKey, c.SignCount, strings.Join(c.Transports, ","), c.AAGUID, c.BackupEligible, c.BackupState, a.now().Unix())
	if isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return errCredentialExists
	}
	return err
}

// errCounterMoved: the sign count changed between the lookup and the update.
var errCounterMoved = errors.New("sign count changed since it was read")

// markUsed stores the sign count of a verified sign-in, as a compare-and-set against the
// count the verification was made against (read, the stored value the lookup returned).
// Two sign-ins verified against one stored count (a cloned authenticator racing the
// original, both presenting the same next counter) cannot both pass: the second finds the
// count moved and gets errCounterMoved. Counters that stay 0 (synced passkeys) compare 0
// with 0 and always pass. A credential deleted in the meantime gives
// server.ErrUnknownCredential.
func (a *App) markUsed(ctx context.Context, c *server.AuthenticatedCredential, read uint32) error {
	res, err := a.db.ExecContext(ctx, `UPDATE passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
		WHERE credential_id = ? AND sign_count = ?`,
		c.SignCount, c.BackupState, a.now().Unix(), c.CredentialID, read)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var exists bool
	if err := a.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM passkeys WHERE credential_id = ?)", c.CredentialID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return server.ErrUnknownCredential
	}
	return errCounterMoved
}
