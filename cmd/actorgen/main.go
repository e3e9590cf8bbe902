// Command actorgen generates typed actors from Go interfaces annotated with
// //actor:generate, and scaffolds new ones.
//
// Usage:
//
//	actorgen [-tags T] [-check] [-v] [packages]
//	actorgen -version
//	actorgen new NAME [-dir D]
//
// It writes one actor_gen.go per package that has annotated interfaces. Run
// it from go generate with a tool directive:
//
//	//go:generate go tool actorgen
//
// Exit status: 0 on success; 1 when the sources have errors (each printed as
// file:line:col: message) or when -check finds out-of-date files; 2 on a
// usage error. See docs/command.md.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
