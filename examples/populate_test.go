package examples

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// newRegistry starts go-containerregistry's in-process registry on
// loopback and returns its host:port.
func newRegistry(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func TestPopulate(t *testing.T) {
	ctx := context.Background()
	host := newRegistry(t)
	if err := Populate(ctx, host); err != nil {
		t.Fatal(err)
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	arts, err := c.Build()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	if len(repos) != len(c.Repositories) {
		t.Errorf("catalog lists %d repositories %v, want %d", len(repos), repos, len(c.Repositories))
	}
	for _, a := range arts {
		want, err := a.Digest()
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range a.Tags {
			ref, err := name.NewTag(host + "/" + a.Repository + ":" + tag)
			if err != nil {
				t.Fatal(err)
			}
			d, err := remote.Head(ref, remote.WithContext(ctx))
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			if d.Digest != want {
				t.Errorf("%s points at %s, want %s", ref, d.Digest, want)
			}
		}
	}
}

func BenchmarkPopulate(b *testing.B) {
	ctx := context.Background()
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	arts, err := c.Build()
	if err != nil {
		b.Fatal(err)
	}
	blobs := blobSizes(b, arts)
	var total int64
	for _, n := range blobs {
		total += n
	}
	for b.Loop() {
		b.StopTimer()
		s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
		b.StartTimer()
		if err := Populate(ctx, strings.TrimPrefix(s.URL, "http://")); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/1e6, "MB-unique-blobs")
	b.ReportMetric(float64(len(blobs)), "unique-blobs")
}
