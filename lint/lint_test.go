package lint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dg is a fake but well-formed sha256 digest named by s.
func dg(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

func day(d int) time.Time { return time.Date(2024, 5, d, 12, 0, 0, 0, time.UTC) }

// img is a single-platform image of the named layers.
func img(name string, tags []string, created time.Time, labels, annotations map[string]string, layers ...string) snapshot.Image {
	p := snapshot.Platform{OS: "linux", Architecture: "amd64", Digest: dg("manifest " + name),
		MediaType: "application/vnd.oci.image.manifest.v1+json",
		Config:    snapshot.Config{Digest: dg("config " + name), Created: created, Labels: labels}}
	for _, l := range layers {
		p.Layers = append(p.Layers, snapshot.Layer{Digest: dg("layer " + l), MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Size: 1000})
		p.Config.DiffIDs = append(p.Config.DiffIDs, dg("diff "+l))
		p.Size += 1000
	}
	return snapshot.Image{Digest: p.Digest, MediaType: p.MediaType, Kind: snapshot.KindImage, Tags: tags,
		Annotations: annotations, Created: created, Size: p.Size, Platforms: []snapshot.Platform{p}}
}

func repo(name string, ims ...snapshot.Image) snapshot.Repository {
	r := snapshot.Repository{Name: name, Images: ims}
	for _, im := range ims {
		for _, t := range im.Tags {
			r.Tags = append(r.Tags, snapshot.Tag{Name: t, Digest: im.Digest})
		}
	}
	return r
}

const registry = "reg.example.test:5000"

// fixture has an image for each rule: base/go:1.2 moved from old to
// new three weeks later; app/stale was built on old and inherits its
// labels; app/bad, app/future and app/hostile break the value and date
// rules; app/fine breaks none.
func fixture(t *testing.T) *catalog.Catalog {
	t.Helper()
	goLabels := func(v string) map[string]string {
		return map[string]string{
			snapshot.KeyTitle: "Go", snapshot.KeyVersion: v, snapshot.KeyRevision: "0123abc",
			snapshot.KeySource: "https://github.com/example/go", snapshot.KeyLicenses: "BSD-3-Clause",
		}
	}
	old := img("go-1.2.0", []string{"1.2.0"}, day(1), goLabels("1.2.0"), nil, "debian", "go-1.2.0")
	cur := img("go-1.2.1", []string{"1.2", "1.2.1", "latest"}, day(22), goLabels("1.2.1"), nil, "debian", "go-1.2.1")
	stale := img("stale", []string{"v1"}, day(5), map[string]string{
		snapshot.KeyTitle: "Go", snapshot.KeyVersion: "1.2.0", snapshot.KeyRevision: "0123abc",
		snapshot.KeySource: "https://github.com/example/app", snapshot.KeyLicenses: "MIT OR (Apache-2.0 WITH LLVM-exception)",
		snapshot.KeyCreated: "2024-05-05T12:10:00Z",
	}, map[string]string{snapshot.KeyBaseName: registry + "/base/go:1.2", snapshot.KeyBaseDigest: old.Digest},
		"debian", "go-1.2.0", "stale")
	// Built on base/go:1.2 = new: current, and found by layers too.
	fresh := img("fresh", []string{"v2"}, day(23), map[string]string{
		snapshot.KeyTitle: "Fine", snapshot.KeySource: "https://github.com/example/fine", snapshot.KeyRevision: "89abcdef",
		snapshot.KeyLicenses: "LicenseRef-Example AND GPL-2.0-or-later", snapshot.KeyCreated: "2024-05-23T12:00:00Z",
		snapshot.KeyVendor: "Example",
	}, map[string]string{snapshot.KeyBaseName: registry + "/base/go:1.2"}, "debian", "go-1.2.1", "fresh")
	bad := img("bad", []string{"main"}, day(10), map[string]string{
		snapshot.KeyLicenses: "GPL-2.0 and MIT", snapshot.KeyURL: "ftp://example.com/app",
		snapshot.KeyRevision: "main", snapshot.KeyCreated: "2023-01-01T00:00:00Z",
		snapshot.KeyDocumentation: "https://docs.example.com/app",
	}, map[string]string{snapshot.KeyCreated: "yesterday", snapshot.KeyLicenses: "Apache 2"}, "bad")
	future := img("future", []string{"next"}, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), nil, nil, "future")
	hostile := img("hostile", []string{"x"}, day(12), map[string]string{
		snapshot.KeyRevision: "\x1b[31mred\u202e%\r\n::error::injected",
		snapshot.KeySource:   "javascript:alert(1)",
	}, nil, "hostile")
	external := img("external", []string{"1"}, day(13), map[string]string{snapshot.KeyTitle: "Ext"},
		map[string]string{snapshot.KeyBaseName: "docker.io/library/alpine:3"}, "alpine", "external")
	snap, err := snapshot.Build(snapshot.Index{Registry: registry, CrawledAt: time.Date(2024, 6, 1, 8, 30, 0, 0, time.UTC)},
		[]snapshot.Repository{
			repo("base/go", old, cur), repo("app/stale", stale), repo("app/fine", fresh), repo("app/bad", bad),
			repo("app/future", future), repo("app/hostile", hostile), repo("app/external", external),
		})
	if err != nil {
		t.Fatal(err)
	}
	return catalog.New(snap, catalog.Config{})
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and read the diff):\n%s", name, got)
	}
}

// TestGolden checks the findings of the fixture in every format against
// golden files read by hand: each rule fires where the fixture breaks
// it, and nowhere else.
func TestGolden(t *testing.T) {
	cat := fixture(t)
	findings := Check(cat, Options{Require: []string{"source", "org.opencontainers.image.vendor"}})
	fail := func(f Finding) bool { return f.Rule == RuleMissingKey || f.Rule == RuleStaleBase }
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, format, findings, fail); err != nil {
				t.Fatal(err)
			}
			golden(t, "findings."+format, b.Bytes())
		})
	}
	// Every rule has a finding in the fixture.
	for _, r := range Rules {
		if !slices.ContainsFunc(findings, func(f Finding) bool { return f.Rule == r }) {
			t.Errorf("no %s finding in the fixture", r)
		}
	}
	// app/fine breaks no rule and has what is required; base/go and
	// app/external break none but lack what is required.
	for _, f := range findings {
		if f.Repo == "app/fine" || ((f.Repo == "base/go" || f.Repo == "app/external") && f.Rule != RuleMissingKey) {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

// TestJSONParses decodes the json output with encoding/json and checks
// that the hostile value survives intact while the bytes hold no
// control or bidirectional character.
func TestJSONParses(t *testing.T) {
	findings := Check(fixture(t), Options{})
	var b bytes.Buffer
	if err := Write(&b, "json", findings, func(Finding) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\r\u202e") {
		t.Errorf("json output holds raw control or bidi characters")
	}
	var got []Finding
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, findings, func(a, b Finding) bool {
		return a.Repo == b.Repo && a.Digest == b.Digest && slices.Equal(a.Tags, b.Tags) && a.Rule == b.Rule && a.Key == b.Key && a.Value == b.Value && a.Message == b.Message
	}) {
		t.Errorf("json round trip changed the findings")
	}
	if !slices.ContainsFunc(got, func(f Finding) bool { return f.Value == "\x1b[31mred\u202e%\r\n::error::injected" }) {
		t.Errorf("the hostile revision is not reported with its value")
	}
	b.Reset()
	if err := Write(&b, "json", nil, nil); err != nil || b.String() != "[]\n" {
		t.Errorf("no findings: %q, %v; want []", b.String(), err)
	}
}

// TestGitHubEscaping checks the workflow-command escapes against the
// Actions toolkit's rules (escapeData, escapeProperty).
func TestGitHubEscaping(t *testing.T) {
	f := Finding{Repo: "a/b", Digest: dg("x"), Tags: []string{"v1"}, Rule: RuleInvalidURL,
		Message: "100% sure\r\nline two: a,b"}
	var b bytes.Buffer
	if err := Write(&b, "github", []Finding{f}, func(Finding) bool { return true }); err != nil {
		t.Fatal(err)
	}
	want := "::error title=invalid-url a/b%3Av1@sha256%3A" + dg("x")[7:19] + "::100%25 sure%0D%0Aline two: a,b\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestLicenseExpressions(t *testing.T) {
	tests := []struct {
		expr string
		ok   bool
	}{
		{"MIT", true},
		{"mit", true}, // identifiers match case-insensitively
		{"Apache-2.0 OR MIT", true},
		{"GPL-2.0-or-later WITH Classpath-exception-2.0", true},
		{"(MIT OR Apache-2.0) AND BSD-3-Clause", true},
		{"((MIT))", true},
		{"GPL-2.0+", true},
		{"LicenseRef-Proprietary", true},
		{"DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", true},
		{"", false},
		{"Apache 2", false},
		{"MIT and Apache-2.0", false},
		{"MIT OR", false},
		{"AND MIT", false},
		{"(MIT", false},
		{"MIT)", false},
		{"MIT WITH", false},
		{"MIT WITH Nonsense-exception", false},
		{"LicenseRef-", false},
		{"LicenseRef-a_b", false},
		{"DocumentRef-x:MIT", false},
		{"NOASSERTION", false},
		{"Proprietary", false},
		{strings.Repeat("(", 30) + "MIT" + strings.Repeat(")", 30), false},
		{strings.Repeat("MIT OR ", 200) + "MIT", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			err := parseLicense(tt.expr)
			if (err == nil) != tt.ok {
				t.Errorf("parseLicense(%q) = %v, want ok %v", tt.expr, err, tt.ok)
			}
		})
	}
}

// TestBaseStates checks the stale-base rule's view of each kind of
// base: moved, current by annotation, current by layers, outside.
func TestBaseStates(t *testing.T) {
	cat := fixture(t)
	got := map[string]BaseState{}
	for _, b := range BaseStates(cat) {
		got[b.Image.Repo.Name] = b
	}
	tests := []struct {
		repo   string
		status Status
		msg    string
	}{
		{"app/stale", StatusMoved, `built on "reg.example.test:5000/base/go:1.2" = sha256:` + dg("manifest go-1.2.0")[7:19] + `; 1.2 is now sha256:` + dg("manifest go-1.2.1")[7:19] + `, 3 weeks newer`},
		{"app/fine", StatusCurrent, `built on "reg.example.test:5000/base/go:1.2" = sha256:` + dg("manifest go-1.2.1")[7:19] + `, still current`},
		{"app/external", StatusUnknown, `built on "docker.io/library/alpine:3": the base is in another registry`},
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			b, ok := got[tt.repo]
			if !ok {
				t.Fatalf("no base state")
			}
			if b.Status != tt.status || b.Message() != tt.msg {
				t.Errorf("%s: %s\nwant %s: %s", b.Status, b.Message(), tt.status, tt.msg)
			}
		})
	}
	if b := got["app/stale"]; b.Newer != 21*24*time.Hour || b.Built == nil || b.Now == nil || b.Now.Digest != dg("manifest go-1.2.1") {
		t.Errorf("app/stale: newer %v, built %v, now %v", b.Newer, b.Built, b.Now)
	}
}

func TestCoverage(t *testing.T) {
	cat := fixture(t)
	all, repos := Coverage(cat, Check(cat, Options{}))
	if all.Images != 8 || len(repos) != 7 {
		t.Fatalf("%d images in %d repositories, want 8 in 7", all.Images, len(repos))
	}
	// By hand: title on base/go ×2, stale, fine, external; source on
	// base/go ×2, stale, fine, hostile; base.name on stale, fine,
	// external.
	// revision on base/go ×2, stale, fine, bad, hostile; version on
	// base/go ×2, stale; licenses on base/go ×2, stale, fine, bad.
	want := map[string]int{"title": 5, "source": 5, "revision": 6, "version": 3, "licenses": 5, "base.name": 3,
		"vendor": 1, "url": 1, "documentation": 1, "base.digest": 1, "created": 3}
	for i, k := range Recommended {
		if all.Keys[i] != want[k] {
			t.Errorf("%s: %d images, want %d", k, all.Keys[i], want[k])
		}
	}
	if all.NoLabels != 1 || all.Inherited != 1 || all.StaleBase != 1 || all.Invalid != 3 {
		t.Errorf("no labels %d, inherited %d, stale %d, invalid %d; want 1, 1, 1, 3 (bad, future, hostile)", all.NoLabels, all.Inherited, all.StaleBase, all.Invalid)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "less than a minute"},
		{90 * time.Second, "1 minute"},
		{90 * time.Minute, "90 minutes"},
		{36 * time.Hour, "36 hours"},
		{13 * 24 * time.Hour, "13 days"},
		{-21 * 24 * time.Hour, "3 weeks"},
		{100 * 24 * time.Hour, "3 months"},
		{800 * 24 * time.Hour, "2 years"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestInheritedSource: images of one monorepo share a source, so a
// source equal to the base's is inherited only when the revision does
// not tell the images apart.
func TestInheritedSource(t *testing.T) {
	const src = "https://github.com/example/mono"
	base := img("base", []string{"1"}, day(1), map[string]string{snapshot.KeySource: src, snapshot.KeyRevision: "1111111"}, nil, "os")
	own := img("own", []string{"1"}, day(2), map[string]string{snapshot.KeySource: src, snapshot.KeyRevision: "2222222"}, nil, "os", "own")
	none := img("none", []string{"1"}, day(2), map[string]string{snapshot.KeySource: src}, nil, "os", "none")
	snap, err := snapshot.Build(snapshot.Index{Registry: registry}, []snapshot.Repository{repo("b", base), repo("own", own), repo("none", none)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Check(catalog.New(snap, catalog.Config{}), Options{}) {
		got = append(got, f.Repo+" "+f.Rule+" "+f.Key)
	}
	want := []string{"none inherited-label " + snapshot.KeySource}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
