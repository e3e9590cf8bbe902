// Package gen is the actorgen generator: it loads Go packages, finds the
// interfaces annotated with //actor:generate, checks them, and writes one
// actor_gen.go per package holding, for each interface X, the typed reference
// XRef, one message struct per method, the XMessage union, SpawnX and the
// dispatch that calls the user's implementation. For an interface that is also
// annotated with //actor:remote it checks that every parameter and result can
// cross the wire, writes a binary codec (runtime/wire) for every message and
// reply, and keeps the wire schema in actor_schema.txt (docs/remote.md).
//
// Generate is the entry point; the actorgen command is a thin wrapper around
// it. See docs/generator.md for the directives, the naming rules and the
// errors, and docs/generated-code.md for the shape of the output.
package gen
