// Package codec measures the wire codec that actorgen generates for an //actor:remote interface
// against encoding/json, for the same messages: go test -bench . ./codec (from bench/), or
// go test -run TestCodecVsJSON -codec.ratio ./codec for the table with the ratios.
package codec

import (
	"context"
	"time"
)

//go:generate go tool actorgen

// Address is a nested struct.
type Address struct {
	Street string
	City   string
	Zip    int
}

// Contact is a typical message payload: numbers, strings, a slice, a map, a nested struct and a
// time.
type Contact struct {
	ID      int64
	Name    string
	Email   string
	Tags    []string
	Address Address
	Phones  map[string]string
	Updated time.Time
	Score   float64
}

// Book is the interface whose messages are measured.
//
//actor:generate
//actor:remote
type Book interface {
	// Note carries four strings: the message of the reference measurement.
	Note(ctx context.Context, name, email, phone, note string) error
	// Put carries a Contact.
	Put(ctx context.Context, c Contact) error
}
