package runtime

import (
	"errors"
	goruntime "runtime"
	"runtime/debug"
)

// The runtime calls user code (factories, handlers, hooks, policies, the event hook, a keeper's
// start) and must survive however it ends: by returning, by panicking, or by calling
// runtime.Goexit, which t.FailNow and testify's require do. A deferred recover cannot tell a
// Goexit from panic(nil) under GODEBUG=panicnil=1 by the value it returns (nil for both), so
// guard tells them apart by whether the recover ran and stopped the unwinding: after a panic the
// code below the recovering call runs, after a Goexit it never does.

// ending says how user code ended.
type ending uint8

const (
	returned ending = iota
	panicked        // a panic, recovered
	exited          // runtime.Goexit: the goroutine that ran the code is ending
)

// errGoexit is the panic value of a fault that is a call of runtime.Goexit (t.FailNow, say).
var errGoexit = errors.New("runtime.Goexit called")

// errResetAsked is the value of the fault that Ref.Reset resets an actor with.
var errResetAsked = errors.New("reset asked for")

// guard runs fn on the calling goroutine and reports how it ended, with the panic's value (a
// *runtime.PanicNilError for panic(nil), whatever GODEBUG says) and the stack where it panicked.
// If fn calls runtime.Goexit the goroutine ends, as Goexit demands, and guard does not return:
// onExit runs on the way out, with the stack where fn called Goexit.
func guard(fn func(), onExit func(stack []byte)) (v any, how ending, stack []byte) {
	recovered := false // fn returned or its panic was recovered: the goroutine goes on
	defer func() {
		if !recovered {
			onExit(stack)
		}
	}()
	how = panicked
	func() {
		defer func() {
			if how == panicked { // a panic or a Goexit: fn's frames are still on the stack
				v = recover()
				stack = debug.Stack()
			}
		}()
		fn()
		how = returned
	}()
	recovered = true
	if how == panicked && v == nil {
		v = new(goruntime.PanicNilError)
	}
	return v, how, stack
}

// isolate runs fn on a goroutine of its own and waits for it, so that a runtime.Goexit in fn
// ends that goroutine only (how is then exited and v errGoexit). It is for user code that the
// runtime must outlive on the goroutine that calls it, and that runs rarely: hooks, policies,
// the event hook, a keeper's start.
func isolate(fn func()) (v any, how ending, stack []byte) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		v, how, stack = guard(fn, func(s []byte) { v, how, stack = errGoexit, exited, s })
	}()
	<-done
	return v, how, stack
}
