package crawler

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/regcat/regcat/snapshot"
)

// FuzzParseManifest: no panic; an accepted manifest has a kind, and every
// digest it will fetch or record is canonical with a non-negative size.
func FuzzParseManifest(f *testing.F) {
	d := "sha256:" + strings.Repeat("b", 64)
	f.Add("", `{"mediaType":"`+mtOCIManifest+`","config":{"mediaType":"`+mtOCIConfig+`","digest":"`+d+`","size":2},"layers":[{"digest":"`+d+`","size":9}]}`)
	f.Add(mtOCIIndex, `{"manifests":[{"mediaType":"`+mtOCIManifest+`","digest":"`+d+`","size":1,"platform":{"os":"unknown","architecture":"unknown"}}]}`)
	f.Add(mtSchema1Signed, `{"schemaVersion":1,"fsLayers":[{"blobSum":"`+d+`"}],"history":[{"v1Compatibility":"{\"created\":\"2017-01-01T00:00:00Z\",\"throwaway\":true}"}]}`)
	f.Add("", `{"schemaVersion":1,"signatures":[{"protected":"eyJmb3JtYXRMZW5ndGgiOjEsImZvcm1hdFRhaWwiOiJmUSJ9"}]}`)
	f.Fuzz(func(t *testing.T, ct, body string) {
		m, err := parseManifest(ct, []byte(body))
		_, _ = manifestDigest("", []byte(body))
		if err != nil {
			return
		}
		if !slices.Contains([]snapshot.Kind{snapshot.KindImage, snapshot.KindIndex, snapshot.KindArtifact, snapshot.KindSchema1}, m.kind) {
			t.Fatalf("kind %q", m.kind)
		}
		if (m.kind == snapshot.KindImage || m.kind == snapshot.KindArtifact) && m.doc.Config == nil {
			t.Fatal("image or artifact without config")
		}
		ds := append(slices.Clone(m.doc.Layers), m.doc.Manifests...)
		if m.doc.Config != nil {
			ds = append(ds, *m.doc.Config)
		}
		for _, d := range ds {
			if snapshot.ValidateDigest(d.Digest) != nil || d.Size < 0 {
				t.Fatalf("accepted descriptor %q size %d", d.Digest, d.Size)
			}
		}
		ls, size := layers(m.doc.Layers)
		if size < 0 || len(ls) != len(m.doc.Layers) {
			t.Fatalf("layers %d size %d", len(ls), size)
		}
		if m.kind == snapshot.KindSchema1 {
			if p, err := parseSchema1(m); err == nil {
				for _, l := range p.Layers {
					if snapshot.ValidateDigest(l.Digest) != nil {
						t.Fatalf("schema1 layer %q", l.Digest)
					}
				}
				checkTimes(t, p.Config)
			}
		}
	})
}

// FuzzParseConfig: no panic; times are UTC or zero, ports sorted, diff_ids
// canonical.
func FuzzParseConfig(f *testing.F) {
	f.Add(`{"created":"2024-01-01T10:00:00+02:00","os":"linux","config":{"Labels":{"a":"b"},"ExposedPorts":{"80/tcp":{},"443/tcp":{}}},"history":[{"created":"x","empty_layer":true}],"rootfs":{"diff_ids":["sha256:` + strings.Repeat("c", 64) + `"]}}`)
	f.Add(`{"created":"0000-01-01T00:00:00Z"}`)
	f.Add(`{"config":null,"rootfs":{"diff_ids":["../.."]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		c, err := parseConfig("sha256:x", []byte(body))
		if err != nil {
			return
		}
		checkTimes(t, c.config)
		if !slices.IsSorted(c.config.ExposedPorts) {
			t.Fatalf("ports %v not sorted", c.config.ExposedPorts)
		}
		for _, d := range c.config.DiffIDs {
			if snapshot.ValidateDigest(d) != nil {
				t.Fatalf("accepted diff_id %q", d)
			}
		}
	})
}

func checkTimes(t *testing.T, c snapshot.Config) {
	t.Helper()
	if !c.Created.IsZero() && c.Created.Location().String() != "UTC" {
		t.Fatalf("created %s not UTC", c.Created)
	}
	for _, h := range c.History {
		if !h.Created.IsZero() && (h.Created.Location().String() != "UTC" || h.Created.Year() > 9999) {
			t.Fatalf("history time %s", h.Created)
		}
	}
}

// FuzzNextLink: no panic; a link is either refused or on the base's scheme
// and host, without userinfo or fragment.
func FuzzNextLink(f *testing.F) {
	f.Add(`</v2/_catalog?last=a&n=1>; rel="next"`)
	f.Add(`<https://evil.example.com/x>; rel=next`)
	f.Add(`<//evil>; rel="next", </ok>; rel="prev"`)
	f.Add(`<http://reg.example.com:5000@evil/x>; rel="next"`)
	f.Add(`<\\evil\x>; rel="next"`)
	base, _ := url.Parse("http://reg.example.com:5000/v2/r/tags/list?n=1000")
	f.Fuzz(func(t *testing.T, header string) {
		u, err := nextLink(base, []string{header})
		if err != nil || u == nil {
			return
		}
		if u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) || u.User != nil || u.Fragment != "" {
			t.Fatalf("accepted %q from %q", u, header)
		}
		// What the client will request must name the same host too.
		again, err := url.Parse(u.String())
		if err != nil || !strings.EqualFold(again.Host, base.Host) {
			t.Fatalf("%q re-parses to host %v (%v)", u, again, err)
		}
	})
}

// FuzzListPages: no panic; every name returned is in the page, and names
// that pass validation are safe to use as paths.
func FuzzListPages(f *testing.F) {
	f.Add(`{"repositories":["a","b/c","../../etc"]}`)
	f.Add(`{"name":"x","tags":["v1",".x",null]}`)
	f.Add(`{"repositories":null,"tags":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, decode := range []func([]byte) ([]string, error){decodeCatalog, decodeTags} {
			names, err := decode([]byte(body))
			if err != nil {
				continue
			}
			for _, n := range names {
				if snapshot.ValidateRepoName(n) == nil {
					p, err := snapshot.RepoPath(n)
					if err != nil || strings.Contains(p, "..") || strings.HasPrefix(p, "/") || !utf8.ValidString(p) {
						t.Fatalf("valid name %q gives path %q (%v)", n, p, err)
					}
				}
				if snapshot.ValidateTag(n) == nil && (strings.ContainsAny(n, "/\\") || strings.HasPrefix(n, ".")) {
					t.Fatalf("tag %q accepted", n)
				}
			}
		}
	})
}
