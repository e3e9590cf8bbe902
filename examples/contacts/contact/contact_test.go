package contact_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

func ptr(s string) *string { return &s }

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var ve *contact.ValidationError
	require.True(t, errors.As(err, &ve), "want a *ValidationError, got %v", err)
	return ve.Field
}

func TestValidateAcceptsGoodContacts(t *testing.T) {
	for _, c := range []contact.Contact{
		{Name: "Ada"},
		{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 (20) 7946-0958"},
		{Name: strings.Repeat("é", contact.MaxNameLen)},
	} {
		assert.NoError(t, c.Validate(), "%+v", c)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	for _, tc := range []struct {
		c     contact.Contact
		field string
	}{
		{contact.Contact{}, "name"},
		{contact.Contact{Name: "   "}, "name"},
		{contact.Contact{Name: strings.Repeat("x", contact.MaxNameLen+1)}, "name"},
		{contact.Contact{Name: "a\x00b"}, "name"},
		{contact.Contact{Name: "\xff"}, "name"},
		{contact.Contact{Name: "Ada", Email: "not-an-address"}, "email"},
		{contact.Contact{Name: "Ada", Email: "Ada <ada@example.com>"}, "email"},
		{contact.Contact{Name: "Ada", Phone: "12"}, "phone"},
		{contact.Contact{Name: "Ada", Phone: "555-CALL-ME"}, "phone"},
		{contact.Contact{Name: "Ada", Phone: strings.Repeat("1", contact.MaxPhoneLen+1)}, "phone"},
		{contact.Contact{Name: "Ada", IdempotencyKey: "a b"}, "Idempotency-Key"},
	} {
		err := tc.c.Validate()
		require.Error(t, err, "%+v", tc.c)
		assert.Equal(t, tc.field, fieldOf(t, err), "%+v", tc.c)
		assert.True(t, strings.HasPrefix(err.Error(), tc.field+": "), err.Error())
	}
}

func TestPatchApply(t *testing.T) {
	c := contact.Contact{ID: "x", Name: "Ada", Email: "ada@example.com"}

	got, err := contact.Patch{Phone: ptr("555 0100")}.Apply(c)
	require.NoError(t, err)
	assert.Equal(t, contact.Contact{ID: "x", Name: "Ada", Email: "ada@example.com", Phone: "555 0100"}, got)

	got, err = contact.Patch{Email: ptr("")}.Apply(c)
	require.NoError(t, err)
	assert.Empty(t, got.Email, "an empty string clears an optional field")

	_, err = contact.Patch{Name: ptr("")}.Apply(c)
	assert.Equal(t, "name", fieldOf(t, err))

	_, err = contact.Patch{}.Apply(c)
	assert.Equal(t, "body", fieldOf(t, err))
	assert.True(t, contact.Patch{}.Empty())
}

func TestValidateUser(t *testing.T) {
	for _, u := range []string{"alice", "A.b_c-9", strings.Repeat("u", contact.MaxUserLen)} {
		assert.NoError(t, contact.ValidateUser(u), u)
	}
	for _, u := range []string{"", ".hidden", "a/b", "a b", "é", strings.Repeat("u", contact.MaxUserLen+1)} {
		err := contact.ValidateUser(u)
		require.Error(t, err, u)
		assert.Equal(t, "user", fieldOf(t, err), u)
	}
}

func TestValidateID(t *testing.T) {
	assert.NoError(t, contact.ValidateID("abc"))
	assert.Equal(t, "id", fieldOf(t, contact.ValidateID("")))
	assert.Equal(t, "id", fieldOf(t, contact.ValidateID(contact.ID(strings.Repeat("i", 65)))))
}

func TestValidateIdempotencyKey(t *testing.T) {
	for _, k := range []string{
		"k", "8e03978e-40d5-43e8-bc93-6894a57f9324", "01ARZ3NDEKTSV4RRFFQ69G5FAV",
		"a_b.c:d~e+f/g=", strings.Repeat("k", contact.MaxKeyLen),
	} {
		assert.NoError(t, contact.ValidateIdempotencyKey(k), k)
		assert.NoError(t, contact.Contact{Name: "Ada", IdempotencyKey: k}.Validate(), k)
	}
	for _, tc := range []struct{ key, reason string }{
		{"", "must be 1 to 128 characters long, got 0"},
		{strings.Repeat("k", contact.MaxKeyLen+1), "must be 1 to 128 characters long, got 129"},
		{"a b", `invalid character ' ' at offset 1`},
		{`"quoted"`, `invalid character '"' at offset 0`},
		{"a,b", `invalid character ',' at offset 1`},
		{"é", `non-ASCII byte 0xc3 at offset 0`},
		{"a\x00", `invalid character '\x00' at offset 1`},
	} {
		err := contact.ValidateIdempotencyKey(tc.key)
		require.Error(t, err, tc.key)
		assert.Equal(t, contact.KeyField, fieldOf(t, err), tc.key)
		assert.True(t, strings.HasPrefix(err.Error(), "Idempotency-Key: "+tc.reason), err.Error())
	}
}
