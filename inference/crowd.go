package inference

import "context"

// crowdKey is the context key of WithCrowd.
type crowdKey struct{}

// WithCrowd returns a copy of ctx carrying crowded, which reports whether other requests are
// being served beside the one ctx belongs to (decoding, waiting, answering: not only
// inferring). An engine that gives an inference running alone more threads gives one started
// while crowded a single thread, as it does one started beside other inferences.
func WithCrowd(ctx context.Context, crowded func() bool) context.Context {
	return context.WithValue(ctx, crowdKey{}, crowded)
}

// Crowded reports what the function WithCrowd put into ctx reports; false without one.
func Crowded(ctx context.Context) bool {
	crowded, ok := ctx.Value(crowdKey{}).(func() bool)
	return ok && crowded()
}
