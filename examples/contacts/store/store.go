// Package store keeps the contacts service's contacts in SQLite, through the
// pure-Go driver modernc.org/sqlite (no cgo).
//
// Writes are durable when they return: the database runs in WAL mode with
// synchronous=FULL, so a commit is synced to disk before the call returns.
// One *sql.DB with a single connection serialises all statements, so writers
// queue in Go rather than spinning on SQLite's busy handler.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// ErrDuplicate reports an insert of an id the user's book already holds.
var ErrDuplicate = errors.New("contact id already exists")

const schema = `
CREATE TABLE IF NOT EXISTS contacts (
	seq   INTEGER PRIMARY KEY AUTOINCREMENT,
	user  TEXT NOT NULL,
	id    TEXT NOT NULL,
	name  TEXT NOT NULL,
	email TEXT NOT NULL,
	phone TEXT NOT NULL,
	UNIQUE (user, id)
);`

// Store is a SQLite database of contacts, keyed by user and id. It is safe
// for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens (creating it if needed) the database file at path and makes
// sure the schema exists.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: open: empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: open %q: the path may not contain '?' or '#'", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %q: create schema: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %q: %w", s.path, err)
	}
	return nil
}

// Ping checks that the database answers a query on the contacts table. It
// waits for the store's one connection, so it queues behind the writes in
// progress: give it a context with a deadline.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM contacts LIMIT 1)").Scan(&n); err != nil {
		return fmt.Errorf("store: ping %q: %w", s.path, err)
	}
	return nil
}

// JournalMode returns SQLite's journal mode for the open database ("wal").
func (s *Store) JournalMode(ctx context.Context) (string, error) {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return "", fmt.Errorf("store: journal mode: %w", err)
	}
	return mode, nil
}

// Load returns all contacts of user, oldest first.
func (s *Store) Load(ctx context.Context, user string) ([]contact.Contact, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, name, email, phone FROM contacts WHERE user = ? ORDER BY seq`, user)
	if err != nil {
		return nil, fmt.Errorf("store: load %q: %w", user, err)
	}
	defer rows.Close()
	var out []contact.Contact
	for rows.Next() {
		var c contact.Contact
		if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Phone); err != nil {
			return nil, fmt.Errorf("store: load %q: %w", user, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load %q: %w", user, err)
	}
	return out, nil
}

// Insert adds c to user's contacts. It returns an error wrapping ErrDuplicate
// when user already has a contact with c's id.
func (s *Store) Insert(ctx context.Context, user string, c contact.Contact) error {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO contacts (user, id, name, email, phone) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (user, id) DO NOTHING`,
		user, c.ID, c.Name, c.Email, c.Phone)
	if err != nil {
		return fmt.Errorf("store: insert %q/%q: %w", user, c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: insert %q/%q: %w", user, c.ID, err)
	} else if n == 0 {
		return fmt.Errorf("store: insert %q/%q: %w", user, c.ID, ErrDuplicate)
	}
	return nil
}

// Update replaces the fields of user's contact c.ID. It returns an error
// wrapping contact.ErrNotFound when there is no such contact.
func (s *Store) Update(ctx context.Context, user string, c contact.Contact) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE contacts SET name = ?, email = ?, phone = ? WHERE user = ? AND id = ?`,
		c.Name, c.Email, c.Phone, user, c.ID)
	return affectedOne(res, err, "update", user, c.ID)
}

// Delete removes user's contact id. It returns an error wrapping
// contact.ErrNotFound when there is no such contact.
func (s *Store) Delete(ctx context.Context, user string, id contact.ID) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM contacts WHERE user = ? AND id = ?`, user, id)
	return affectedOne(res, err, "delete", user, id)
}

func affectedOne(res sql.Result, err error, op, user string, id contact.ID) error {
	if err != nil {
		return fmt.Errorf("store: %s %q/%q: %w", op, user, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %q/%q: %w", op, user, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s %q/%q: %w", op, user, id, contact.ErrNotFound)
	}
	return nil
}
