package render

import (
	"testing"

	"github.com/regcat/regcat/catalog"
)

func TestLineage(t *testing.T) {
	c := catalog.New(fixture(), catalog.Config{})
	find := func(repo, tag string) *catalog.Image {
		t.Helper()
		for _, ip := range c.Images {
			for _, tg := range ip.Tags {
				if ip.Repo.Name == repo && tg == tag {
					return ip
				}
			}
		}
		t.Fatalf("no image %s:%s", repo, tag)
		return nil
	}
	old, idx := find("base/alpine", "3.19"), find("base/alpine", "3.20")
	tests := []struct {
		repo, tag string
		base      *catalog.Image
		via       string
	}{
		{"team-a/api", "v1.0.0", old, "layers"},
		{"team-a/api", "v1.2.0", old, "layers"},
		{"team-a/web", "main", idx, "annotation"},
	}
	for _, tt := range tests {
		t.Run(tt.repo+":"+tt.tag, func(t *testing.T) {
			ip := find(tt.repo, tt.tag)
			if len(ip.Bases) != 1 || ip.Bases[0].Image != tt.base || ip.Bases[0].Via != tt.via {
				t.Fatalf("bases = %+v, want %s:%v by %s", ip.Bases, tt.base.Repo.Name, tt.base.Tags, tt.via)
			}
		})
	}
	if n := len(old.Children); n != 3 {
		t.Errorf("base/alpine:3.19 has %d children, want the 3 team-a/api images", n)
	}
	if len(old.Bases) != 0 || len(idx.Bases) != 0 {
		t.Errorf("base images have bases: %+v %+v", old.Bases, idx.Bases)
	}
	// An image is never its own base, nor based on an image with the same
	// layers (a copy in another repository).
	for _, ip := range c.Images {
		for _, b := range ip.Bases {
			if b.Image == ip || b.Image.Digest == ip.Digest {
				t.Errorf("%s@%s is based on itself", ip.Repo.Name, ip.Digest)
			}
		}
	}
}
