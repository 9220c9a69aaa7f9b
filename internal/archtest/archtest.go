// Package archtest holds the test that keeps the data flow one way:
// crawl → snapshot → render. It has no code of its own.
package archtest
