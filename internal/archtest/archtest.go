// Package archtest holds the tests that keep the architecture as drawn:
// an allowlist saying, for every package of the module, which module
// packages and third-party modules it may import, and checks that the
// data flow stays one way (crawl → snapshot → catalog → render). It has
// no code of its own.
package archtest
