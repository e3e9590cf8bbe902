module github.com/actorgen/actorgen/bench

go 1.26.0

replace (
	github.com/actorgen/actorgen => ../
	github.com/actorgen/actorgen/examples => ../examples
)
