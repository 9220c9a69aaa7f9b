package refresh

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
)

// TestREADMERegistryConfig: the notifications block README.md shows for
// the distribution registry parses with the registry's own configuration
// parser and points at the registry hook with a bearer token.
func TestREADMERegistryConfig(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\nnotifications:\n")
	block, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```yaml notifications block")
	}
	yml := "version: 0.1\nstorage:\n  inmemory: {}\nnotifications:\n" + block
	cfg, err := configuration.Parse(strings.NewReader(yml))
	if err != nil {
		t.Fatalf("the registry does not parse README's block: %v\n%s", err, yml)
	}
	eps := cfg.Notifications.Endpoints
	if len(eps) != 1 {
		t.Fatalf("%d endpoints", len(eps))
	}
	u, err := url.Parse(eps[0].URL)
	if err != nil || u.Path != PathRegistry {
		t.Errorf("endpoint URL %q, want the path %s", eps[0].URL, PathRegistry)
	}
	if a := eps[0].Headers.Get("Authorization"); !strings.HasPrefix(a, "Bearer ") {
		t.Errorf("endpoint Authorization header %q, want a bearer token", a)
	}
}
