package crawler

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/snapshot"
)

func TestParseRegistry(t *testing.T) {
	tests := []struct {
		in, plainIn string
		host        string
		scheme      string // go-containerregistry's first choice
		wantErr     bool
	}{
		{in: "registry.example.com", host: "registry.example.com", scheme: "https"},
		{in: "Registry.Example.com:5000", host: "registry.example.com:5000", scheme: "https"},
		{in: "https://registry.example.com/v2/", host: "registry.example.com", scheme: "https"},
		{in: "http://registry.example.com", host: "registry.example.com", scheme: "http"},
		{in: "registry.example.com", plainIn: "plain", host: "registry.example.com", scheme: "http"},
		{in: "localhost:5000", host: "localhost:5000", scheme: "http"},
		{in: "127.0.0.1:5000", host: "127.0.0.1:5000", scheme: "http"},
		{in: "[::1]:5000", host: "[::1]:5000", scheme: "http"},
		{in: "https://user:secret@registry.example.com:443/path?q=secret#frag", host: "registry.example.com:443", scheme: "https"},
		{in: "user:secret@registry.example.com/x", host: "registry.example.com", scheme: "https"},
		{in: "", wantErr: true},
		{in: "ftp://registry.example.com", wantErr: true},
		{in: "https://", wantErr: true},
		{in: "bad host", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			reg, err := parseRegistry(tt.in, tt.plainIn != "")
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %s, want an error", reg.RegistryStr())
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q leaks the address", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if reg.RegistryStr() != tt.host || reg.Scheme() != tt.scheme {
				t.Errorf("host %s scheme %s, want %s %s", reg.RegistryStr(), reg.Scheme(), tt.host, tt.scheme)
			}
		})
	}
}

// TestConfigDefaults: zero means the documented defaults, negative caps
// mean none, and the deadline reaches the transport.
func TestConfigDefaults(t *testing.T) {
	var c Config
	if c.maxTags() != DefaultMaxTags || c.maxRepos() != DefaultMaxRepos {
		t.Errorf("zero caps = %d, %d; want %d, %d", c.maxTags(), c.maxRepos(), DefaultMaxTags, DefaultMaxRepos)
	}
	c = Config{MaxTags: -5, MaxRepos: -1, RequestDeadline: 7 * time.Second}
	if c.maxTags() != -1 || c.maxRepos() != -1 {
		t.Errorf("negative caps = %d, %d; want none (-1)", c.maxTags(), c.maxRepos())
	}
	if d := c.retryConfig().Deadline; d != 7*time.Second {
		t.Errorf("transport deadline %v, want 7s", d)
	}
	if DefaultRequestDeadline != 60*time.Second {
		t.Errorf("DefaultRequestDeadline = %v, want 60s", DefaultRequestDeadline)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{Registry: "localhost:5000"}, true},
		{"no registry", Config{}, false},
		{"bad repo", Config{Registry: "r", Repos: []string{"../x"}}, false},
		{"bad glob", Config{Registry: "r", Include: []string{"["}}, false},
		{"negative concurrency", Config{Registry: "r", Concurrency: -1}, false},
		{"NaN qps", Config{Registry: "r", QPS: nan()}, false},
		{"negative timeout", Config{Registry: "r", Timeout: -1}, false},
		{"negative request deadline", Config{Registry: "r", RequestDeadline: -1}, false},
		{"no caps", Config{Registry: "r", MaxTags: -1, MaxRepos: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func nan() float64 {
	var zero float64
	return zero / zero
}

func TestWanted(t *testing.T) {
	cfg := Config{Include: []string{"team-a/*", "base/*"}, Exclude: []string{"team-a/secret*"}}
	for name, want := range map[string]bool{
		"team-a/api": true, "base/os": true, "team-a/secret-db": false, "team-a/tools/cli": false, "other": false,
	} {
		if got := cfg.wanted(name); got != want {
			t.Errorf("wanted(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNextLink(t *testing.T) {
	base, _ := url.Parse("https://reg.example.com/v2/_catalog?n=2")
	tests := []struct {
		name   string
		header []string
		want   string
		err    error
	}{
		{"none", nil, "", nil},
		{"relative", []string{`</v2/_catalog?last=b&n=2>; rel="next"`}, "https://reg.example.com/v2/_catalog?last=b&n=2", nil},
		{"absolute same host", []string{`<https://reg.example.com/v2/_catalog?last=b>; rel=next`}, "https://reg.example.com/v2/_catalog?last=b", nil},
		{"prev then next", []string{`</p>; rel="prev", </n>; rel="next"`}, "https://reg.example.com/n", nil},
		{"two headers", []string{`</p>; rel="prev"`, `</n>; rel="next"`}, "https://reg.example.com/n", nil},
		{"quoted comma", []string{`</a>; title="x, y"; rel="next"`}, "https://reg.example.com/a", nil},
		{"multiple rels", []string{`</a>; rel="last next"`}, "https://reg.example.com/a", nil},
		{"only prev", []string{`</p>; rel="prev"`}, "", nil},
		{"other host", []string{`<https://evil.example.com/v2/_catalog>; rel="next"`}, "", errForeignLink},
		{"other port", []string{`<https://reg.example.com:8443/v2/_catalog>; rel="next"`}, "", errForeignLink},
		{"scheme downgrade", []string{`<http://reg.example.com/v2/_catalog>; rel="next"`}, "", errForeignLink},
		{"protocol relative", []string{`<//evil.example.com/x>; rel="next"`}, "", errForeignLink},
		{"userinfo", []string{`<https://u:p@reg.example.com/x>; rel="next"`}, "", errForeignLink},
		{"fragment dropped", []string{`</x#frag>; rel="next"`}, "https://reg.example.com/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := nextLink(base, tt.header)
			if !errors.Is(err, tt.err) || (err != nil) != (tt.err != nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			got := ""
			if u != nil {
				got = u.String()
			}
			if got != tt.want {
				t.Errorf("next %q, want %q", got, tt.want)
			}
		})
	}
}

// signedSchema1 returns a libtrust-style pretty JWS around payload.
func signedSchema1(payload string) []byte {
	body := strings.TrimSuffix(payload, "\n}")
	tail := "\n}"
	prot, _ := json.Marshal(map[string]any{"formatLength": len(body), "formatTail": base64.RawURLEncoding.EncodeToString([]byte(tail))})
	return []byte(body + `,
   "signatures": [{"header": {"alg": "ES256"}, "signature": "sig", "protected": "` + base64.RawURLEncoding.EncodeToString(prot) + `"}]` + tail)
}

func TestManifestDigest(t *testing.T) {
	payload := "{\n   \"schemaVersion\": 1,\n   \"name\": \"x\"\n}"
	signed := signedSchema1(payload)
	plain := []byte(`{"schemaVersion":2}`)
	tests := []struct {
		name string
		want string
		body []byte
		out  string
		err  bool
	}{
		{"no header", "", plain, digestOf("", plain), false},
		{"matching header", digestOf("", plain), plain, digestOf("", plain), false},
		{"sha512 header", digestOf("sha512:", plain), plain, digestOf("sha512:", plain), false},
		{"mismatch", digestOf("", []byte("other")), plain, "", true},
		{"malformed header", "sha256:XYZ", plain, "", true},
		{"signed schema1 by payload", digestOf("", []byte(payload)), signed, digestOf("", []byte(payload)), false},
		{"signed schema1 without header", "", signed, digestOf("", []byte(payload)), false},
		{"signed schema1 by whole bytes", digestOf("", signed), signed, digestOf("", signed), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := manifestDigest(tt.want, tt.body)
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error=%v", err, tt.err)
			}
			if got != tt.out {
				t.Errorf("digest %s, want %s", got, tt.out)
			}
		})
	}
}

func TestParseManifestKinds(t *testing.T) {
	d := "sha256:" + strings.Repeat("a", 64)
	desc := func(mt string) string { return `{"mediaType":"` + mt + `","digest":"` + d + `","size":1}` }
	tests := []struct {
		name, ct, body string
		kind           snapshot.Kind
		err            bool
	}{
		{"oci image", "", `{"mediaType":"` + mtOCIManifest + `","config":` + desc(mtOCIConfig) + `,"layers":[]}`, snapshot.KindImage, false},
		{"docker image by content type", mtDockerManifest, `{"schemaVersion":2,"config":` + desc(mtDockerConfig) + `}`, snapshot.KindImage, false},
		{"artifact by artifactType", "", `{"mediaType":"` + mtOCIManifest + `","artifactType":"x/y","config":` + desc(mtOCIConfig) + `}`, snapshot.KindArtifact, false},
		{"artifact by config", "", `{"mediaType":"` + mtOCIManifest + `","config":` + desc("application/vnd.cncf.helm.config.v1+json") + `}`, snapshot.KindArtifact, false},
		{"index", "", `{"mediaType":"` + mtOCIIndex + `","manifests":[` + desc(mtOCIManifest) + `]}`, snapshot.KindIndex, false},
		{"docker list by shape", "", `{"schemaVersion":2,"manifests":[]}`, snapshot.KindIndex, false},
		{"schema1", mtSchema1Signed, `{"schemaVersion":1,"fsLayers":[],"history":[]}`, snapshot.KindSchema1, false},
		{"bad digest", "", `{"mediaType":"` + mtOCIManifest + `","config":{"digest":"sha256:../../x","size":1}}`, "", true},
		{"negative size", "", `{"mediaType":"` + mtOCIIndex + `","manifests":[{"digest":"` + d + `","size":-1}]}`, "", true},
		{"image without config", "", `{"mediaType":"` + mtOCIManifest + `"}`, "", true},
		{"unknown", "text/html", `{}`, "", true},
		{"not json", "", `<html>`, "", true},
		{"schema1 mismatched history", "", `{"schemaVersion":1,"fsLayers":[{"blobSum":"` + d + `"}],"history":[]}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseManifest(tt.ct, []byte(tt.body))
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error=%v", err, tt.err)
			}
			if err == nil && m.kind != tt.kind {
				t.Errorf("kind %s, want %s", m.kind, tt.kind)
			}
		})
	}
}
