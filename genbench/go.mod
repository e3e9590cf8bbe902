module github.com/actorgen/actorgen/genbench

go 1.26.0

replace github.com/actorgen/actorgen => ../

require github.com/actorgen/actorgen v0.0.0-00010101000000-000000000000 // indirect

require (
	github.com/dave/jennifer v1.7.1 // indirect
	github.com/matryer/moq v0.8.1 // indirect
	go.uber.org/mock v0.6.0 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

tool (
	github.com/actorgen/actorgen/cmd/actorgen
	github.com/matryer/moq
	go.uber.org/mock/mockgen
)
