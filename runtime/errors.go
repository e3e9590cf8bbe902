package runtime

import (
	"errors"
	"fmt"
)

var (
	// ErrStopped is the error of an actor that stopped normally, and of a message that could not
	// be delivered or answered because its actor stopped or is stopping.
	ErrStopped = errors.New("actor stopped")
	// ErrFault is wrapped by every error that comes from a fault (a panic) in an actor.
	ErrFault = errors.New("actor fault")
	// ErrMailboxFull is returned when a bounded mailbox with OverflowFail is full, and for an
	// ask that OverflowDrop dropped.
	ErrMailboxFull = errors.New("mailbox full")
	// ErrNotDelivered is wrapped, with the ctx's error, by the error of an ask whose ctx ended
	// before its handler was given the message, and of a send whose ctx ended while it waited for
	// room in a full mailbox: the handler never saw the message, so it is safe to send again. An
	// ask whose ctx ends while its handler runs fails with the ctx's error alone: its effect may
	// have happened.
	ErrNotDelivered = errors.New("not delivered")
	// ErrNameTaken is returned by Spawn when the parent already has a child of that name.
	ErrNameTaken = errors.New("name already in use")
	// ErrInvalidOption is wrapped by the errors of invalid spawn options and arguments.
	ErrInvalidOption = errors.New("invalid option")
	// ErrNoReply fails an ask whose handler returned without calling Reply.
	ErrNoReply = errors.New("handler returned without replying")
	// ErrTetherCut is wrapped by the error of a child that a tether cut loose.
	ErrTetherCut = errors.New("tether cut")
)

// FaultError is a panic in an actor, turned into an error. It matches ErrFault with errors.Is,
// and when the panic value is an error, errors.Unwrap gives that error too.
type FaultError struct {
	Path    string // the path of the actor that faulted
	Value   any    // the value passed to panic
	Stack   []byte // the faulting goroutine's stack
	Message any    // the message being handled, or nil for a fault in the factory or a hook
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("actor %s: %v: %v", e.Path, ErrFault, e.Value)
}

// Is reports whether target is ErrFault.
func (e *FaultError) Is(target error) bool { return target == ErrFault }

// Unwrap returns the panic value if it is an error.
func (e *FaultError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// optionError makes an error for an invalid option or argument.
func optionError(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrInvalidOption)
}
