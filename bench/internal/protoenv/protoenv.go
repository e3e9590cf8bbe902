// Package protoenv lets hollywood and protoactor-go live in one binary. Both register a protobuf
// file named actor.proto, which google.golang.org/protobuf rejects with a panic at package
// initialisation unless GOLANG_PROTOBUF_REGISTRATION_CONFLICT says otherwise.
//
// Import it (blank) from every package that imports a peer. Its init runs before the peers'
// because Go initialises an importing package's dependencies first and, among packages that are
// ready, the one whose import path sorts first: this package needs only os, and its path
// (github.com/actorgen/...) sorts before github.com/anthdm/... and github.com/asynkron/....
// The bench module's tests check that the setting is in place and that both peers load.
package protoenv

import "os"

// Var is the environment variable protobuf consults on a registration conflict.
const Var = "GOLANG_PROTOBUF_REGISTRATION_CONFLICT"

func init() {
	if os.Getenv(Var) == "" {
		// Setenv fails only for a malformed name, and Var is a well-formed constant.
		_ = os.Setenv(Var, "ignore")
	}
}
