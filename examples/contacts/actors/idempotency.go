package actors

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"hash"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// A create with an idempotency key gets a keyed id instead of a random one:
//
//	KKKKKKKKKKKKKKKKKKKKKKKKKK-FFFFFFFFFFFFF
//
// 26 base32 characters of SHA-256 over the user and the key (128 bits), a
// '-', and 13 of SHA-256 over the contact's name, email and phone (64 bits),
// the request's fingerprint. The key's binding to its contact is thus part of
// the contact's id, which the store keeps anyway: it is as durable as the
// contact, survives a Reset and a restart with no change to the store, and
// the store's UNIQUE (user, id) makes a second insert for the same key and
// fields impossible even if the book's state were wrong. A book rebuilds its
// index of keys from the ids it loads. Random ids (rand.Text: 26 base32
// characters) never contain a '-'.
const (
	keyDigestLen   = 26
	fingerprintLen = 13
	keyedIDLen     = keyDigestLen + 1 + fingerprintLen
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// keyedID returns the id of the contact that user's create of c with key
// makes, and the key's digest, which the book indexes.
func keyedID(user, key string, c contact.Contact) (id contact.ID, digest string) {
	h := sha256.New()
	writeField(h, "contacts idempotency key v1")
	writeField(h, user)
	writeField(h, key)
	digest = idEncoding.EncodeToString(h.Sum(nil)[:16])

	h.Reset()
	writeField(h, "contacts create fingerprint v1")
	writeField(h, c.Name)
	writeField(h, c.Email)
	writeField(h, c.Phone)
	fp := idEncoding.EncodeToString(h.Sum(nil)[:8])
	return contact.ID(digest + "-" + fp), digest
}

// writeField writes s with its length first, so that no two lists of fields
// hash alike.
func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// keyDigest returns the key digest in a keyed id, and reports whether id is
// one.
func keyDigest(id contact.ID) (string, bool) {
	s := string(id)
	if len(s) != keyedIDLen || s[keyDigestLen] != '-' {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i != keyDigestLen && !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return "", false
		}
	}
	return s[:keyDigestLen], true
}
