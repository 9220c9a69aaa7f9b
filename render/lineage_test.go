package render

import (
	"io"
	"log/slog"
	"testing"
)

func TestLineage(t *testing.T) {
	p := newPlan(fixture(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	find := func(repo, tag string) *imagePlan {
		t.Helper()
		for _, ip := range p.images {
			for _, tg := range ip.tags {
				if ip.repo.name == repo && tg == tag {
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
		base      *imagePlan
		via       string
	}{
		{"team-a/api", "v1.0.0", old, "layers"},
		{"team-a/api", "v1.2.0", old, "layers"},
		{"team-a/web", "main", idx, "annotation"},
	}
	for _, tt := range tests {
		t.Run(tt.repo+":"+tt.tag, func(t *testing.T) {
			ip := find(tt.repo, tt.tag)
			if len(ip.bases) != 1 || ip.bases[0].image != tt.base || ip.bases[0].via != tt.via {
				t.Fatalf("bases = %+v, want %s:%v by %s", ip.bases, tt.base.repo.name, tt.base.tags, tt.via)
			}
		})
	}
	if n := len(old.children); n != 3 {
		t.Errorf("base/alpine:3.19 has %d children, want the 3 team-a/api images", n)
	}
	if len(old.bases) != 0 || len(idx.bases) != 0 {
		t.Errorf("base images have bases: %+v %+v", old.bases, idx.bases)
	}
	// An image is never its own base, nor based on an image with the same
	// layers (a copy in another repository).
	for _, ip := range p.images {
		for _, b := range ip.bases {
			if b.image == ip || b.image.im.Digest == ip.im.Digest {
				t.Errorf("%s@%s is based on itself", ip.repo.name, ip.im.Digest)
			}
		}
	}
}
