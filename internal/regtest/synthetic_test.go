package regtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

// TestSyntheticServesLarge checks NewSynthetic against a fixture built the
// other way, with go-containerregistry's mutate: the same catalog and tag
// lists (read page by page through Link headers), the same digests, media
// types and bytes, by tag and by digest.
func TestSyntheticServesLarge(t *testing.T) {
	t.Parallel()
	const repos, tags = 3, 12
	fx := Large(t, repos, tags)
	reg := NewSynthetic(t, SyntheticConfig{Repos: repos, TagsPerRepo: tags, PageSize: 2})
	checkServes(t, reg, fx)
	if n := reg.Counter.Get(RouteCatalog); n != 2 {
		t.Errorf("read the catalog of %d repositories in %d pages of 2, want 2", repos, n)
	}
	if n := reg.Counter.Get(RouteTags); n != repos*tags/2 {
		t.Errorf("read %d tag list pages, want %d", n, repos*tags/2)
	}
	ctx := t.Context()
	for _, r := range fx.Repos {
		for _, tag := range r.Tags {
			wantManifest, err := tag.Image.RawManifest()
			if err != nil {
				t.Fatal(err)
			}
			wantConfig, err := tag.Image.RawConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			base := reg.URL + "/v2/" + r.Name
			for _, u := range []string{base + "/manifests/" + tag.Name, base + "/manifests/" + tag.Digest.String()} {
				checkBlob(t, fetch(ctx, http.MethodGet, u, nil), string(tag.MediaType), wantManifest)
				head := fetch(ctx, http.MethodHead, u, nil)
				checkBlob(t, head, string(tag.MediaType), nil)
				if cl := head.header.Get("Content-Length"); cl != strconv.Itoa(len(wantManifest)) {
					t.Errorf("HEAD %s: Content-Length %s, want %d", u, cl, len(wantManifest))
				}
			}
			cfgDigest, err := tag.Image.ConfigName()
			if err != nil {
				t.Fatal(err)
			}
			checkBlob(t, fetch(ctx, http.MethodGet, base+"/blobs/"+cfgDigest.String(), nil), "application/octet-stream", wantConfig)
			var cf struct {
				Config struct{ Labels map[string]string }
			}
			if err := json.Unmarshal(wantConfig, &cf); err != nil {
				t.Fatal(err)
			}
			if v := cf.Config.Labels["org.opencontainers.image.version"]; v != tag.Name {
				t.Errorf("%s:%s has version label %q", r.Name, tag.Name, v)
			}
		}
	}
	layers, err := fx.Repos[0].Tags[0].Image.Layers()
	if err != nil {
		t.Fatal(err)
	}
	ld, err := layers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	checkBlob(t, fetch(ctx, http.MethodGet, reg.URL+"/v2/"+fx.Repos[2].Name+"/blobs/"+ld.String(), nil), "application/octet-stream", nil)
}

// checkBlob checks a 200 answer's Content-Type, that its body (unless a
// HEAD's) hashes to its Docker-Content-Digest and equals want (unless nil).
func checkBlob(t *testing.T, r result, contentType string, want []byte) {
	t.Helper()
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("status %d, error %v", r.status, r.err)
	}
	if ct := r.header.Get("Content-Type"); ct != contentType {
		t.Errorf("Content-Type %q, want %q", ct, contentType)
	}
	if want != nil && !bytes.Equal(r.body, want) {
		t.Errorf("body differs from the fixture's:\n%s\nwant\n%s", r.body, want)
	}
	if len(r.body) == 0 {
		return
	}
	sum := sha256.Sum256(r.body)
	if d := r.header.Get("Docker-Content-Digest"); d != "" && d != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("Docker-Content-Digest %s is not the body's sha256:%x", d, sum)
	}
}

// TestSyntheticStoresNothing serves a billion tags, which could not be
// stored, and checks the far end of the catalog and of a repository.
func TestSyntheticStoresNothing(t *testing.T) {
	t.Parallel()
	reg := NewSynthetic(t, SyntheticConfig{Repos: 1_000_000, TagsPerRepo: 1000})
	ctx := t.Context()
	r := fetch(ctx, http.MethodGet, reg.URL+"/v2/_catalog?n=5&last=bench/r999998", nil)
	if r.status != http.StatusOK || string(r.body) != `{"repositories":["bench/r999999"]}` || r.header.Get("Link") != "" {
		t.Errorf("last catalog page: %d %s, Link %q", r.status, r.body, r.header.Get("Link"))
	}
	r = fetch(ctx, http.MethodGet, reg.URL+"/v2/_catalog", nil)
	var page struct{ Repositories []string }
	if err := json.Unmarshal(r.body, &page); err != nil || len(page.Repositories) != defaultSyntheticPage || page.Repositories[1] != "bench/r000001" {
		t.Errorf("first catalog page: %d names, error %v", len(page.Repositories), err)
	}
	if l := r.header.Get("Link"); l != `</v2/_catalog?last=bench%2Fr000999&n=1000>; rel="next"` {
		t.Errorf("first catalog page's Link = %q", l)
	}
	m := fetch(ctx, http.MethodGet, reg.URL+"/v2/bench/r999999/manifests/1.0.999", nil)
	checkBlob(t, m, "application/vnd.oci.image.manifest.v1+json", nil)
	var man struct{ Config struct{ Digest string } }
	if err := json.Unmarshal(m.body, &man); err != nil {
		t.Fatal(err)
	}
	c := fetch(ctx, http.MethodGet, reg.URL+"/v2/bench/r999999/blobs/"+man.Config.Digest, nil)
	checkBlob(t, c, "application/octet-stream", nil)
	if !bytes.Contains(c.body, []byte(`"org.opencontainers.image.version":"1.0.999"`)) || !bytes.Contains(c.body, []byte(`"created":"3925-04-29T10:39:00Z"`)) {
		t.Errorf("config of bench/r999999:1.0.999: %s", c.body)
	}
}

func TestSyntheticNotFound(t *testing.T) {
	t.Parallel()
	fx := Large(t, 2, 3)
	reg := NewSynthetic(t, SyntheticConfig{Repos: 2, TagsPerRepo: 3})
	other := fx.Repos[1].Tags[0].Digest.String() // bench/r0001's, not bench/r0000's
	cfg, err := fx.Repos[0].Tags[0].Image.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/v2/bench/r0002/tags/list", http.StatusNotFound},
		{http.MethodGet, "/v2/bench/r00001/tags/list", http.StatusNotFound},
		{http.MethodGet, "/v2/bench/r0000/tags/list?n=x", http.StatusBadRequest},
		{http.MethodGet, "/v2/bench/r0000/manifests/1.0.3", http.StatusNotFound},
		{http.MethodGet, "/v2/bench/r0000/manifests/1.0.01", http.StatusNotFound},
		{http.MethodHead, "/v2/bench/r0000/manifests/" + other, http.StatusNotFound},
		{http.MethodGet, "/v2/bench/r0000/manifests/" + cfg.String(), http.StatusNotFound},
		{http.MethodGet, "/v2/bench/r0000/blobs/" + fx.Repos[0].Tags[0].Digest.String(), http.StatusNotFound},
		{http.MethodGet, "/v2/bench/r0000/referrers/" + other, http.StatusNotFound},
		{http.MethodPut, "/v2/bench/r0000/manifests/1.0.0", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		if r := fetch(t.Context(), tt.method, reg.URL+tt.path, nil); r.status != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, r.status, tt.status)
		}
	}
}
