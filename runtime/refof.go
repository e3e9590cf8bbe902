package runtime

// ActorOf returns the typed handle of the actor that r refers to, and true, when that actor
// accepts messages of type M (exactly M: the type its Spawn was given). Otherwise, or for the
// zero Ref, it returns the zero Actor and false. It is Self for any actor's Ref; generated code
// wraps it as XRefOf.
func ActorOf[M any](r Ref) (Actor[M], bool) {
	if r.n == nil {
		return Actor[M]{}, false
	}
	if r.n.sys == nil {
		return remoteActorOf[M](r.n)
	}
	b, ok := r.n.cell.(boxer[M])
	if !ok {
		return Actor[M]{}, false
	}
	return Actor[M]{m: b.box()}, true
}
