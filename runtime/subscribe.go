package runtime

import (
	"slices"
	"sync/atomic"
)

// Subscription receives a system's events on a channel, for a live view: see System.Subscribe.
type Subscription struct {
	sys     *System
	c       chan Event
	kinds   uint32 // bit k set: EventKind k is wanted
	dropped atomic.Uint64
}

// Subscribe returns a subscription to the system's events of the given kinds (all kinds if
// none), delivered on a channel with room for buffer events (at least 1). The runtime never
// waits for a subscriber: an event that finds the channel full is dropped and counted
// (Dropped). Without subscribers, events cost what they did before. Call Close when done; the
// channel is not closed.
func (s *System) Subscribe(buffer int, kinds ...EventKind) *Subscription {
	sub := &Subscription{sys: s, c: make(chan Event, max(buffer, 1))}
	for _, k := range kinds {
		sub.kinds |= 1 << (k & 31)
	}
	if len(kinds) == 0 {
		sub.kinds = ^uint32(0)
	}
	s.obsMu.Lock()
	defer s.obsMu.Unlock()
	var list []*Subscription
	if old := s.subs.Load(); old != nil {
		list = slices.Clone(*old)
	}
	list = append(list, sub)
	s.subs.Store(&list)
	return sub
}

// Events returns the channel the events arrive on.
func (sub *Subscription) Events() <-chan Event { return sub.c }

// Dropped returns how many events found the channel full and were dropped.
func (sub *Subscription) Dropped() uint64 { return sub.dropped.Load() }

// Close ends the subscription; an event being published as it is called may still arrive. It
// may be called more than once.
func (sub *Subscription) Close() {
	s := sub.sys
	s.obsMu.Lock()
	defer s.obsMu.Unlock()
	old := s.subs.Load()
	if old == nil {
		return
	}
	list := slices.DeleteFunc(slices.Clone(*old), func(x *Subscription) bool { return x == sub })
	if len(list) == 0 {
		s.subs.Store(nil)
		return
	}
	s.subs.Store(&list)
}

// publish offers e to every subscriber that wants it, never waiting.
func (s *System) publish(subs []*Subscription, e Event) {
	for _, sub := range subs {
		if sub.kinds&(1<<(e.Kind&31)) == 0 {
			continue
		}
		select {
		case sub.c <- e:
		default:
			sub.dropped.Add(1)
		}
	}
}
