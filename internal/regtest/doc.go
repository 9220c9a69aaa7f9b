// Package regtest is the shared test infrastructure of regcat's crawler
// tests and benchmarks: real registries served in-process on 127.0.0.1
// (go-containerregistry's pkg/registry and the CNCF distribution registry,
// with htpasswd basic auth or a bearer token server), a synthetic registry
// that generates the Large fixture per request for scale benchmarks,
// reproducible fixture images, a request counter and a fault-injecting
// handler wrapped around the real registry.
//
// It is an ordinary package so that tests of several packages can share it,
// but only test code imports it. Nothing here reaches the internet: every
// server listens on the loopback interface and is closed by tb.Cleanup.
//
// A typical test:
//
//	reg := regtest.NewGGCR(t)
//	fx := regtest.Standard(t)
//	if err := reg.Populate(ctx, fx); err != nil {
//		t.Fatal(err)
//	}
//	reg.Faults.Set(regtest.Rule{Fault: regtest.FaultStatus, Status: 429, RetryAfter: "0"})
//	// crawl reg.Host, compare with a fault-free crawl, check reg.Faults.Injected(...)
//
// Requests made by Populate carry a private header that the Counter and the
// Faults ignore, so setting up a registry never consumes faults or counts.
package regtest
