// Package agotel connects an actorgen runtime to OpenTelemetry: a span per message through the
// runtime's Hook (Tracing) and metrics read from the runtime's own counters when a reader
// collects (RegisterMetrics).
//
// It is a module of its own, so that the runtime, and every program that uses actorgen without
// OpenTelemetry, never imports it.
//
//	sys := runtime.NewSystem(agotel.Tracing(agotel.Config{}), runtime.WithMetrics(runtime.MetricsOptions{}))
//	reader := sdkmetric.NewPeriodicReader(exporter, sdkmetric.WithProducer(agotel.Producer(sys)))
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	reg, err := agotel.RegisterMetrics(sys, agotel.Config{MeterProvider: mp})
//	defer reg.Unregister()
//
// Traces. An ask gets a span of kind Server named "Book/Create", a child of the span in the
// caller's ctx (which the handler receives), with rpc.system=actorgen, rpc.service, rpc.method
// and actorgen.actor.path. A tell gets a span of kind Consumer that starts a trace of its own
// and links to the sender's span, so that a burst of tells does not make one giant trace; a
// tell without a span in its ctx gets none, unless Config.RootTells. A fault sets the span's
// status to Error and records the fault. A message whose parent span is not sampled gets no
// span at all, which is what a parent-based sampler would decide, at the cost of two context
// lookups.
//
// Metrics. Every instrument is asynchronous: its callback reads System.Stats, the runtime's
// atomic counters, when the reader collects, so enabling metrics adds no OpenTelemetry call to
// the path of a message. The histograms of handling time and time in the mailbox come from the
// runtime's own buckets through Producer, since the API has no asynchronous histogram. Labels are the actor's interface (actorgen.type), the method
// (rpc.method) and the outcome (actorgen.outcome), never the actor's path, except for the
// paths Config.Paths allows.
package agotel
