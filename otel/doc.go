// Package agotel connects an actorgen runtime to OpenTelemetry: a runtime.Hook that traces
// asks and tells (NewTracer), and metrics read from the runtime's own counters at collection
// time (RegisterMetrics, and Producer for the histograms). It is a module of its own,
// github.com/actorgen/actorgen/otel, so that the main module never imports OpenTelemetry.
//
//	tracer := agotel.NewTracer(agotel.WithTracerProvider(tp))
//	sys := runtime.NewSystem(runtime.WithHook(tracer), runtime.WithMetrics(runtime.MetricsOptions{}))
//	reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithProducer(agotel.Producer(sys)))
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	reg, err := agotel.RegisterMetrics(sys, agotel.WithMeterProvider(mp))
//	defer reg.Unregister()
//
// Spans: an ask is a span of kind Server whose parent is the caller's ctx (the handler already
// receives it), named "Interface/Method", with rpc.system=actorgen, rpc.service, rpc.method and
// actor.path; a tell is a span of kind Consumer in a trace of its own, linked to the sender's
// span, and only when the sender's span is sampled (WithRootTells starts one for every tell); a
// fault sets the status Error. Nothing is started when the parent is valid and not sampled, so
// an unsampled trace costs a context lookup.
//
// Metrics carry the labels actor.type, rpc.method and outcome only: an actor's path
// (actor.path) labels only the gauges and counters of the actors that WithActorDetail
// allow-lists, never a series per actor by default. Interfaces of the same name in different
// packages share their actor.type, and their figures are added into one series.
package agotel
