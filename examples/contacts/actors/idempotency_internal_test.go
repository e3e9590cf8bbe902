package actors

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

func TestKeyedID(t *testing.T) {
	ada := contact.Contact{Name: "Ada", Email: "ada@example.com"}
	id, digest := keyedID("alice", "k1", ada)
	assert.Len(t, string(id), keyedIDLen)
	assert.True(t, strings.HasPrefix(string(id), digest+"-"))
	got, ok := keyDigest(id)
	assert.True(t, ok)
	assert.Equal(t, digest, got)
	assert.NoError(t, contact.ValidateID(id))

	again, _ := keyedID("alice", "k1", ada)
	assert.Equal(t, id, again, "deterministic")
	for _, other := range []struct {
		user, key string
		c         contact.Contact
		sameKey   bool
	}{
		{"bob", "k1", ada, false},
		{"alice", "k2", ada, false},
		{"alice", "k1", contact.Contact{Name: "Ada"}, true},
		{"alice", "k1", contact.Contact{Name: "Ada", Phone: "ada@example.com"}, true},
		{"alicek", "1", ada, false}, // fields are length-prefixed
	} {
		oid, odigest := keyedID(other.user, other.key, other.c)
		assert.NotEqual(t, id, oid, "%+v", other)
		assert.Equal(t, other.sameKey, odigest == digest, "%+v", other)
	}

	for _, notKeyed := range []contact.ID{
		contact.ID(rand.Text()), contact.ID(rand.Text() + "-"), "1", "",
		contact.ID(strings.ToLower(string(id))), id[:keyedIDLen-1] + "!",
	} {
		_, ok := keyDigest(notKeyed)
		assert.False(t, ok, "%q", notKeyed)
	}
	assert.Len(t, rand.Text(), keyDigestLen, "random ids have no '-': they never look keyed")
}
