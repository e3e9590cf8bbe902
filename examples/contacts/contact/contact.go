// Package contact holds the contacts service's domain: a contact, a partial
// update to one, their validation, and the errors the service reports.
//
// It has no dependencies on the actors, the store or HTTP, so every layer can
// share these types.
package contact

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Limits on the fields of a contact.
const (
	MaxNameLen  = 200
	MaxEmailLen = 254
	MaxPhoneLen = 32
	MaxUserLen  = 64
	MaxKeyLen   = 128
)

var (
	// ErrNotFound reports a contact id that the user's book does not hold.
	ErrNotFound = errors.New("contact not found")
	// ErrKeyReused reports a create whose idempotency key the book already
	// holds for a contact created from a different name, email or phone.
	ErrKeyReused = errors.New("idempotency key already used for a different contact")
)

// ID identifies a contact within one user's book.
type ID string

// Contact is one entry of a user's book.
type Contact struct {
	ID    ID     `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// IdempotencyKey is set only on a contact passed to a book's Create: a
	// retried create with the same key and the same name, email and phone
	// returns the contact the first one made instead of making another, and
	// one with the same key but other fields fails with ErrKeyReused. It is
	// not part of the stored contact: every contact a book returns has it
	// empty, and it is never in JSON.
	IdempotencyKey string `json:"-"`
}

// Patch is a partial update of a contact: nil fields are left unchanged.
type Patch struct {
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Phone *string `json:"phone,omitempty"`
}

// ValidationError reports an invalid field. Field is the JSON name of the
// field (or "user" for the owner of a book).
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

// Validate reports the first invalid field of c, as a *ValidationError. The
// id is not checked: the book assigns it. An empty IdempotencyKey is valid.
func (c Contact) Validate() error {
	if err := validateName(c.Name); err != nil {
		return err
	}
	if err := validateEmail(c.Email); err != nil {
		return err
	}
	if err := validatePhone(c.Phone); err != nil {
		return err
	}
	if c.IdempotencyKey != "" {
		return ValidateIdempotencyKey(c.IdempotencyKey)
	}
	return nil
}

// Empty reports whether p changes nothing.
func (p Patch) Empty() bool {
	return p.Name == nil && p.Email == nil && p.Phone == nil
}

// Apply returns c with the fields set in p replaced, validated as a whole.
func (p Patch) Apply(c Contact) (Contact, error) {
	if p.Empty() {
		return Contact{}, &ValidationError{Field: "body", Reason: "a patch must set at least one of name, email, phone"}
	}
	if p.Name != nil {
		c.Name = *p.Name
	}
	if p.Email != nil {
		c.Email = *p.Email
	}
	if p.Phone != nil {
		c.Phone = *p.Phone
	}
	if err := c.Validate(); err != nil {
		return Contact{}, err
	}
	return c, nil
}

// ValidateUser checks the name of a book's owner: 1 to MaxUserLen ASCII
// letters, digits, '.', '_' or '-', not starting with '.'. The rule keeps user
// names usable as actor names.
func ValidateUser(user string) error {
	if user == "" || len(user) > MaxUserLen {
		return &ValidationError{Field: "user", Reason: fmt.Sprintf("must be 1 to %d characters long", MaxUserLen)}
	}
	if user[0] == '.' {
		return &ValidationError{Field: "user", Reason: "must not start with '.'"}
	}
	for i := 0; i < len(user); i++ {
		c := user[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return &ValidationError{Field: "user", Reason: fmt.Sprintf("invalid character %q at offset %d: use letters, digits, '.', '_' or '-'", c, i)}
		}
	}
	return nil
}

// ValidateID checks the shape of a contact id taken from a request.
func ValidateID(id ID) error {
	if id == "" || len(id) > 64 {
		return &ValidationError{Field: "id", Reason: "must be 1 to 64 characters long"}
	}
	return nil
}

// KeyField is the Field of a *ValidationError about an idempotency key: the
// name of the HTTP header that carries it.
const KeyField = "Idempotency-Key"

// ValidateIdempotencyKey checks an idempotency key: 1 to MaxKeyLen ASCII
// letters, digits or '-', '_', '.', ':', '~', '+', '/', '=' (enough for a
// UUID, a ULID or base64), so that it needs no quoting or escaping anywhere.
func ValidateIdempotencyKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return &ValidationError{Field: KeyField, Reason: fmt.Sprintf("must be 1 to %d characters long, got %d", MaxKeyLen, len(key))}
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:~+/=", c) >= 0
		switch {
		case ok:
		case c >= utf8.RuneSelf:
			return &ValidationError{Field: KeyField, Reason: fmt.Sprintf("non-ASCII byte %#x at offset %d: use letters, digits and - _ . : ~ + / =", c, i)}
		default:
			return &ValidationError{Field: KeyField, Reason: fmt.Sprintf("invalid character %q at offset %d: use letters, digits and - _ . : ~ + / =", c, i)}
		}
	}
	return nil
}

func validateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return &ValidationError{Field: "name", Reason: "is required"}
	}
	return validateText("name", name, MaxNameLen)
}

func validateEmail(email string) error {
	if email == "" {
		return nil
	}
	if err := validateText("email", email, MaxEmailLen); err != nil {
		return err
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return &ValidationError{Field: "email", Reason: "must be a plain address such as ada@example.com"}
	}
	return nil
}

func validatePhone(phone string) error {
	if phone == "" {
		return nil
	}
	if err := validateText("phone", phone, MaxPhoneLen); err != nil {
		return err
	}
	digits := 0
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return &ValidationError{Field: "phone", Reason: fmt.Sprintf("invalid character %q: use digits, spaces and + - ( ) .", r)}
		}
	}
	if digits < 3 {
		return &ValidationError{Field: "phone", Reason: "must hold at least 3 digits"}
	}
	return nil
}

func validateText(field, s string, maxLen int) error {
	if !utf8.ValidString(s) {
		return &ValidationError{Field: field, Reason: "must be valid UTF-8"}
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("must be at most %d characters, got %d", maxLen, n)}
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return &ValidationError{Field: field, Reason: "must not contain control characters"}
		}
	}
	return nil
}
