package crawler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// referrerRegistries are the two ways a registry keeps referrers:
// go-containerregistry's registry with its referrers API, and the
// distribution registry (v3.1, no referrers API), where pushes write the
// referrers tag schema's fallback tags.
var referrerRegistries = []struct {
	name string
	api  bool
	opts []regtest.Option
}{
	{"ggcr-referrers-api", true, nil},
	{"distribution-tag-schema", false, nil},
	{"distribution-token", false, []regtest.Option{regtest.WithTokenAuth()}},
}

func startReferrers(t *testing.T, api bool, opts []regtest.Option) *regtest.Registry {
	t.Helper()
	if api {
		return regtest.NewGGCR(t, regtest.WithReferrersAPI())
	}
	return regtest.NewDistribution(t, opts...)
}

// want is one expected referrer.
type wantRef struct {
	subject string
	kind    snapshot.ReferrerKind
	format  string
	created string
}

// TestReferrersSupply crawls the supply fixture and checks every
// referrer's subject, kind, format and created time, the referrers tags,
// and that none of those tags is listed as a release.
func TestReferrersSupply(t *testing.T) {
	t.Parallel()
	for _, rr := range referrerRegistries {
		t.Run(rr.name, func(t *testing.T) {
			t.Parallel()
			fx := regtest.Supply(t)
			reg := populate(t, startReferrers(t, rr.api, rr.opts), fx)
			snap, st := mustCrawl(t, testConfig(reg))
			if f := failures(snap); len(f) != 0 {
				t.Fatalf("failures: %+v", f)
			}
			digest := func(repo, tag string) string {
				ft, _ := fx.Tag(repo, tag)
				return ft.Digest.String()
			}
			app := repo(t, snap, "sec/app")
			var tags []string
			for _, tg := range app.Tags {
				tags = append(tags, tg.Name)
			}
			if want := []string{"1.0", "2.0", "3.0", "sbom"}; !slices.Equal(tags, want) {
				t.Errorf("sec/app tags %v, want %v: referrers tags are not releases", tags, want)
			}
			idx := digest("sec/app", "1.0")
			ft, _ := fx.Tag("sec/app", "1.0")
			amd64 := platformDigest(t, ft, "amd64")
			source := snapshot.SourceTagSchema
			if rr.api {
				source = snapshot.SourceAPI
			}
			checkRefs(t, image(app, idx), source, []wantRef{
				{idx, snapshot.KindSignature, snapshot.FormatCosign, "2024-06-01T12:10:00Z"},
				{idx, snapshot.KindSignature, snapshot.FormatNotation, "2024-06-01T12:11:00Z"},
				{idx, snapshot.KindSBOM, snapshot.FormatSPDX, "2024-06-01T12:12:00Z"},
				{idx, snapshot.KindProvenance, regtest.PredicateSLSA1, "2024-06-01T12:13:00Z"},
				{amd64, snapshot.KindSBOM, snapshot.FormatCycloneDX, "2024-06-01T12:14:00Z"},
			})
			app2 := digest("sec/app", "2.0")
			checkRefs(t, image(app, app2), snapshot.SourceCosign, []wantRef{
				{app2, snapshot.KindSignature, snapshot.FormatCosign, ""},
				{app2, snapshot.KindProvenance, regtest.PredicateSLSA02, ""},
			})
			if im := image(app, digest("sec/app", "3.0")); len(im.Referrers) != 0 {
				t.Errorf("3.0 has referrers %+v, want none", im.Referrers)
			}
			// Referrers tags: cosign's always; the tag schema's only where
			// the pushes wrote them (no referrers API).
			h := func(d string) string { return "sha256-" + strings.TrimPrefix(d, "sha256:") }
			wantTags := []snapshot.ReferrerTag{
				{Name: h(app2) + ".att", Subject: app2, Scheme: snapshot.SourceCosign, Attached: true},
				{Name: h(app2) + ".sig", Subject: app2, Scheme: snapshot.SourceCosign, Attached: true},
			}
			if !rr.api {
				wantTags = append(wantTags,
					snapshot.ReferrerTag{Name: h(idx), Subject: idx, Scheme: snapshot.SourceTagSchema, Attached: true},
					snapshot.ReferrerTag{Name: h(amd64), Subject: amd64, Scheme: snapshot.SourceTagSchema, Attached: true})
			}
			slices.SortFunc(wantTags, func(a, b snapshot.ReferrerTag) int { return strings.Compare(a.Name, b.Name) })
			if fmt.Sprint(app.ReferrerTags) != fmt.Sprint(wantTags) {
				t.Errorf("referrer tags\n%+v\nwant\n%+v", app.ReferrerTags, wantTags)
			}

			// Hostile: markup kept verbatim (pages escape it), and a
			// referrer of another repository's digest is attributed to
			// nothing: not to sec/app:2.0, whose referrers are its own
			// repository's, and not to sec/hostile, which lacks that digest.
			hostile := repo(t, snap, "sec/hostile")
			him := image(hostile, digest("sec/hostile", "1.0"))
			if len(him.Referrers) != 1 || him.Referrers[0].ArtifactType != regtest.HostileArtifactType ||
				him.Referrers[0].Annotations["note"] != regtest.HostileAnnotation || him.Referrers[0].Kind != snapshot.KindOther {
				t.Errorf("hostile referrers %+v", him.Referrers)
			}
			var orphan []snapshot.ReferrerTag
			if !rr.api {
				hd := digest("sec/hostile", "1.0")
				orphan = []snapshot.ReferrerTag{
					{Name: h(app2), Subject: app2, Scheme: snapshot.SourceTagSchema, Note: "names a digest that is not an image of this repository: not read"},
					{Name: h(hd), Subject: hd, Scheme: snapshot.SourceTagSchema, Attached: true},
				}
				slices.SortFunc(orphan, func(a, b snapshot.ReferrerTag) int { return strings.Compare(a.Name, b.Name) })
			}
			if fmt.Sprint(hostile.ReferrerTags) != fmt.Sprint(orphan) {
				t.Errorf("sec/hostile referrer tags %+v, want %+v", hostile.ReferrerTags, orphan)
			}
			if len(hostile.Tags) != 1 {
				t.Errorf("sec/hostile tags %+v, want 1.0 only", hostile.Tags)
			}
			t.Logf("full crawl: %d requests, %d referrers requests, %d manifest GETs; server %s", st.Requests, st.Referrers, st.ManifestGets, reg.Counter)
		})
	}
}

// platformDigest is the digest of the platform of arch in an index tag.
func platformDigest(t *testing.T, ft regtest.Tag, arch string) string {
	t.Helper()
	im, err := ft.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Architecture == arch {
			return m.Digest.String()
		}
	}
	t.Fatalf("no %s platform", arch)
	return ""
}

// checkRefs compares im's referrers, by subject, kind, format and created
// time, with want (in any order), and their source with source.
func checkRefs(t *testing.T, im *snapshot.Image, source string, want []wantRef) {
	t.Helper()
	var got, exp []string
	for _, r := range im.Referrers {
		c := ""
		if !r.Created.IsZero() {
			c = r.Created.Format(time.RFC3339)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s", r.Subject, r.Kind, r.Format, c))
		if r.Source != source || snapshot.ValidateDigest(r.Digest) != nil || r.Size <= 0 || r.MediaType == "" {
			t.Errorf("%s: referrer %+v, want source %s and a digest, size and media type", im.Digest, r, source)
		}
	}
	for _, w := range want {
		exp = append(exp, fmt.Sprintf("%s %s %s %s", w.subject, w.kind, w.format, w.created))
	}
	slices.Sort(got)
	slices.Sort(exp)
	if !slices.Equal(got, exp) {
		t.Errorf("%s: referrers\n%s\nwant\n%s", im.Digest, strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

// TestReferrersRecrawl: an unchanged registry with referrers costs list
// pages, one HEAD per release tag, and the referrers requests: with the
// API one per image and platform digest (none of the referrer manifests
// the first crawl read to learn their artifactType is read again); without
// it the probe and one GET per referrers tag. The snapshot is the same.
func TestReferrersRecrawl(t *testing.T) {
	t.Parallel()
	for _, rr := range referrerRegistries {
		t.Run(rr.name, func(t *testing.T) {
			t.Parallel()
			fx := regtest.Supply(t)
			reg := populate(t, startReferrers(t, rr.api, rr.opts), fx)
			first, _ := mustCrawl(t, testConfig(reg))
			subjects, refTags := 0, 0
			for _, r := range first.Repositories {
				for i := range r.Images {
					subjects += len(subjectsOf(&r.Images[i]))
				}
				for _, rt := range r.ReferrerTags {
					if rt.Attached {
						refTags++
					}
				}
			}
			fst, _ := fx.Stats()
			releases := fst.Tags - fst.ReferrerTags

			reg.Counter.Reset()
			cfg := testConfig(reg)
			cfg.Previous = first
			second, st := mustCrawl(t, cfg)
			diffFiles(t, files(t, first), files(t, second))
			lists := reg.Counter.Get(regtest.RouteCatalog) + reg.Counter.Get(regtest.RouteTags)
			handshakes := reg.Counter.Get(regtest.RouteBase) + reg.Counter.Get(regtest.RouteToken)
			wantAPI := 1 // the probe
			if rr.api {
				wantAPI = subjects
			}
			if got := reg.Counter.Get(regtest.RouteReferrers); got != wantAPI {
				t.Errorf("%d referrers API requests, want %d (%s)", got, wantAPI, reg.Counter)
			}
			if got := reg.Counter.Get(regtest.RouteManifestGet); got != refTags {
				t.Errorf("%d manifest GETs, want one per referrers tag read (%d): %s", got, refTags, reg.Counter)
			}
			if got := reg.Counter.Get(regtest.RouteManifestHead); got != releases {
				t.Errorf("%d HEADs, want one per release tag (%d)", got, releases)
			}
			if total := reg.Counter.Total(); total != lists+releases+wantAPI+refTags+handshakes {
				t.Errorf("unchanged re-crawl made %s; want lists %d + HEADs %d + referrers %d + tags %d + handshakes %d",
					reg.Counter, lists, releases, wantAPI, refTags, handshakes)
			}
			if st.Referrers != wantAPI+refTags || st.ManifestGets != 0 {
				t.Errorf("stats %+v", st)
			}
			t.Logf("re-crawl of %d release tags, %d subjects, %d referrers tags: %s", releases, subjects, refTags, reg.Counter)
		})
	}
}

// referrersFake answers the referrers API for every subject of one
// repository with body and Link, around the real registry.
func referrersFake(repo string, body func(r *http.Request) []byte, link func(r *http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/v2/"+repo+"/referrers/") {
				next.ServeHTTP(w, r)
				return
			}
			if l := link(r); l != "" {
				w.Header().Set("Link", l)
			}
			w.Header().Set("Content-Type", mtOCIIndex)
			_, _ = w.Write(body(r))
		})
	}
}

// fakeIndex is a referrers index of n distinct SPDX artifacts.
func fakeIndex(n int) []byte {
	type desc struct {
		MediaType    string `json:"mediaType"`
		Digest       string `json:"digest"`
		Size         int    `json:"size"`
		ArtifactType string `json:"artifactType"`
	}
	idx := struct {
		SchemaVersion int    `json:"schemaVersion"`
		MediaType     string `json:"mediaType"`
		Manifests     []desc `json:"manifests"`
	}{2, mtOCIIndex, make([]desc, n)}
	for i := range n {
		idx.Manifests[i] = desc{mtOCIManifest, fmt.Sprintf("sha256:%064x", n-i), 100, string(regtest.MediaTypeSPDX)}
	}
	b, _ := json.Marshal(idx)
	return b
}

// TestReferrersHostile: a referrers response whose Link points back to
// itself is read once; a huge referrers index keeps MaxReferrers (the
// first in digest order) and says how many were listed, without a
// request per referrer; an image with more pages than the cap stops there.
func TestReferrersHostile(t *testing.T) {
	t.Parallel()
	const huge = 5000
	tests := []struct {
		name  string
		body  func(*http.Request) []byte
		link  func(*http.Request) string
		pages int // referrers API requests per subject
		kept  int
		trunc *snapshot.Truncation
	}{
		{"self link", func(*http.Request) []byte { return fakeIndex(2) },
			func(r *http.Request) string { return "<" + r.URL.Path + ">; rel=\"next\"" }, 1, 2, nil},
		{"huge index", func(*http.Request) []byte { return fakeIndex(huge) },
			func(*http.Request) string { return "" }, 1, MaxReferrers, &snapshot.Truncation{Limit: MaxReferrers, Listed: huge}},
		{"endless pages", func(*http.Request) []byte { return fakeIndex(1) },
			func(r *http.Request) string {
				n, _ := strconv.Atoi(r.URL.Query().Get("page"))
				return fmt.Sprintf("<%s?page=%d>; rel=\"next\"", r.URL.Path, n+1)
			}, MaxReferrerPages, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := &regtest.Fixture{Repos: []regtest.Repo{regtest.Large(t, 1, 1).Repos[0]}}
			name := fx.Repos[0].Name
			reg := populate(t, regtest.NewGGCR(t, regtest.WithReferrersAPI(), regtest.WithWrap(referrersFake(name, tt.body, tt.link))), fx)
			reg.Counter.Reset()
			snap, st := mustCrawl(t, testConfig(reg))
			im := &repo(t, snap, name).Images[0]
			if len(im.Referrers) != tt.kept || fmt.Sprint(im.ReferrersTruncated) != fmt.Sprint(tt.trunc) {
				t.Errorf("%d referrers, truncated %+v; want %d, %+v", len(im.Referrers), im.ReferrersTruncated, tt.kept, tt.trunc)
			}
			if got := reg.Counter.Get(regtest.RouteReferrers); got != tt.pages {
				t.Errorf("%d referrers requests, want %d: %s", got, tt.pages, reg.Counter)
			}
			if st.ManifestGets != 1 {
				t.Errorf("%d manifest GETs, want only the tag's", st.ManifestGets)
			}
			if tt.trunc != nil && im.Referrers[0].Digest != fmt.Sprintf("sha256:%064x", 1) {
				t.Errorf("kept %s first, want the lowest digest", im.Referrers[0].Digest)
			}
		})
	}
}

// TestParseRefTag tells referrers tags from releases.
func TestParseRefTag(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	tests := []struct {
		tag    string
		ok     bool
		scheme string
		hint   snapshot.ReferrerKind
	}{
		{"sha256-" + hex, true, snapshot.SourceTagSchema, ""},
		{"sha256-" + hex + ".sig", true, snapshot.SourceCosign, snapshot.KindSignature},
		{"sha256-" + hex + ".att", true, snapshot.SourceCosign, snapshot.KindAttestation},
		{"sha256-" + hex + ".sbom", true, snapshot.SourceCosign, snapshot.KindSBOM},
		{"sha256-" + hex + ".txt", false, "", ""},
		{"sha256-" + strings.ToUpper(hex), false, "", ""},
		{"sha256-" + hex[:63], false, "", ""},
		{"sha512-" + hex, false, "", ""},
		{"v1.0", false, "", ""},
	}
	for _, tt := range tests {
		rt, ok := parseRefTag(tt.tag)
		if ok != tt.ok || rt.scheme != tt.scheme || rt.hint != tt.hint || (ok && rt.subject != "sha256:"+hex) {
			t.Errorf("parseRefTag(%q) = %+v, %v", tt.tag, rt, ok)
		}
		if regtest.IsReferrerTag(tt.tag) != tt.ok {
			t.Errorf("regtest.IsReferrerTag(%q) = %v", tt.tag, !tt.ok)
		}
	}
}

// TestReferrersArtifactTypeFilter: with ReferrersArtifactType only the
// referrers of that artifactType are kept, whether the registry filters
// (it may) or not (go-containerregistry's ignores the filter).
func TestReferrersArtifactTypeFilter(t *testing.T) {
	t.Parallel()
	for _, rr := range referrerRegistries[:2] {
		t.Run(rr.name, func(t *testing.T) {
			t.Parallel()
			fx := regtest.Supply(t)
			reg := populate(t, startReferrers(t, rr.api, rr.opts), fx)
			cfg := testConfig(reg)
			cfg.ReferrersArtifactType = string(regtest.MediaTypeSPDX)
			snap, _ := mustCrawl(t, cfg)
			var kinds []string
			for _, im := range repo(t, snap, "sec/app").Images {
				for _, r := range im.Referrers {
					kinds = append(kinds, r.ArtifactType)
				}
			}
			if want := []string{string(regtest.MediaTypeSPDX)}; !slices.Equal(kinds, want) {
				t.Errorf("referrers of artifactType %v, want %v", kinds, want)
			}
		})
	}
}
