package render

import (
	"crypto/sha256"
	"encoding/hex"
	"github.com/regcat/regcat/changes"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// dg is a fake but well-formed sha256 digest named by s.
func dg(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

func day(d int) time.Time { return time.Date(2024, 5, d, 12, 0, 0, 0, time.UTC) }

func layer(name string, size int64) snapshot.Layer {
	return snapshot.Layer{Digest: dg("layer " + name), MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Size: size}
}

// platform is a linux platform made of the named layers, each with a
// build step, after some steps that make no layer.
func platform(arch, name string, created time.Time, labels map[string]string, env []string, layers ...string) snapshot.Platform {
	p := snapshot.Platform{
		OS: "linux", Architecture: arch,
		Digest:    dg("manifest " + name + " " + arch),
		MediaType: "application/vnd.oci.image.manifest.v1+json",
		Config: snapshot.Config{
			Digest:     dg("config " + name + " " + arch),
			Created:    created,
			Labels:     labels,
			Env:        env,
			Entrypoint: []string{"/bin/app"},
			Cmd:        []string{"--serve"},
			WorkingDir: "/srv",
			User:       "65532",
		},
	}
	for i, l := range layers {
		ly := layer(l, int64(1000000*(i+1)+len(l)))
		p.Layers = append(p.Layers, ly)
		p.Size += ly.Size
		p.Config.DiffIDs = append(p.Config.DiffIDs, dg("diff "+l))
		p.Config.History = append(p.Config.History,
			snapshot.History{Created: created, CreatedBy: "/bin/sh -c #(nop)  ENV STAGE=" + l, EmptyLayer: true},
			snapshot.History{Created: created, CreatedBy: "RUN |1 TOKEN=abc123 /bin/sh -c make " + l})
	}
	p.Size += 1500 // config
	return p
}

func single(name string, tags []string, p snapshot.Platform) snapshot.Image {
	return snapshot.Image{
		Digest: p.Digest, MediaType: p.MediaType, Kind: snapshot.KindImage, Tags: tags,
		Created: p.Config.Created, Size: p.Size, Platforms: []snapshot.Platform{p},
	}
}

func tagsOf(ims ...snapshot.Image) []snapshot.Tag {
	var out []snapshot.Tag
	for _, im := range ims {
		for _, t := range im.Tags {
			out = append(out, snapshot.Tag{Name: t, Digest: im.Digest})
		}
	}
	return out
}

// fixture is the small snapshot the golden files are rendered from: a
// multi-platform base image, images built on it (found by layers and by
// annotation), an artifact, a hostile repository and recorded failures.
func fixture() *snapshot.Snapshot {
	alpineLabels := map[string]string{
		"org.opencontainers.image.title":       "Alpine base",
		"org.opencontainers.image.description": "A minimal base image for **every** service.",
		"org.opencontainers.image.licenses":    "MIT",
		"org.opencontainers.image.source":      "https://github.com/example/base",
		"org.opencontainers.image.revision":    "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.version":     "3.20.1",
	}
	old := single("alpine-3.19", []string{"3.19"}, platform("amd64", "alpine-3.19", day(1), map[string]string{
		"org.label-schema.name": "Alpine base", "org.label-schema.version": "3.19.4",
		"org.label-schema.vcs-url": "https://gitlab.com/example/group/base.git", "org.label-schema.vcs-ref": "fedcba9",
	}, nil, "alpine-3.19"))
	amd := platform("amd64", "alpine-3.20", day(10), alpineLabels, []string{"PATH=/usr/bin"}, "alpine-3.20-amd64")
	arm := platform("arm64", "alpine-3.20", day(10), alpineLabels, []string{"PATH=/usr/bin"}, "alpine-3.20-arm64")
	arm.Variant = "v8"
	idx := snapshot.Image{
		Digest: dg("index alpine-3.20"), MediaType: "application/vnd.oci.image.index.v1+json", Kind: snapshot.KindIndex,
		Tags: []string{"3.20", "latest"}, Created: day(10), Size: amd.Size + arm.Size,
		Platforms: []snapshot.Platform{amd, arm},
		Attestations: []snapshot.Descriptor{{
			Digest: dg("attestation alpine-3.20"), MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 840,
			Annotations:    map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": arm.Digest},
			PredicateTypes: []string{"https://slsa.dev/provenance/v0.2", "https://spdx.dev/Document"},
		}},
		Referrers: []snapshot.Referrer{
			{Subject: dg("index alpine-3.20"), Digest: dg("cosign sig alpine-3.20"), MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 512,
				ArtifactType: snapshot.ArtifactCosignSig, Annotations: map[string]string{snapshot.KeyCreated: "2024-05-10T12:30:00Z"}, Created: day(10).Add(30 * time.Minute),
				Kind: snapshot.KindSignature, Format: snapshot.FormatCosign, Source: snapshot.SourceAPI},
			{Subject: arm.Digest, Digest: dg("notation sig alpine-3.20 arm64"), MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 730,
				ArtifactType: snapshot.ArtifactNotation, Kind: snapshot.KindSignature, Format: snapshot.FormatNotation, Source: snapshot.SourceTagSchema,
				Tag: "sha256-" + arm.Digest[len("sha256:"):]},
		},
	}
	base := snapshot.Repository{Name: "base/alpine", Images: []snapshot.Image{old, idx}}
	base.Tags = tagsOf(old, idx)

	apiLabels := map[string]string{
		"org.opencontainers.image.title":       "Team A API",
		"org.opencontainers.image.description": "# Team A API\r\n\r\nServes the `/v1` endpoints. See the [docs](https://docs.example.com/api) and <https://example.com/status>.\r\n\r\n- fast\r\n- small",
		"org.opencontainers.image.source":      "https://github.com/example/api.git",
		"org.opencontainers.image.url":         "https://example.com/api",
		"org.opencontainers.image.licenses":    "Apache-2.0",
		"com.example.team":                     "team-a",
		"com.example.oncall":                   "https://oncall.example.com/team-a",
	}
	var api []snapshot.Image
	for i, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		l := map[string]string{"org.opencontainers.image.version": v, "org.opencontainers.image.revision": "abcdef0" + v[2:3]}
		for k, x := range apiLabels {
			l[k] = x
		}
		p := platform("amd64", "api-"+v, day(2+3*i), l, []string{"PATH=/usr/bin", "API_TOKEN=s3cr3t-token"}, "alpine-3.19", "api-deps", "api-"+v)
		// The base layer is the one of base/alpine:3.19.
		p.Config.DiffIDs[0] = old.Platforms[0].Config.DiffIDs[0]
		p.Layers[0] = old.Platforms[0].Layers[0]
		tags := []string{"v" + v}
		if i == 2 {
			tags = append(tags, "latest")
		}
		api = append(api, single("api-"+v, tags, p))
	}
	// v1.0.0 was built FROM base/alpine:latest when latest was 3.19; it
	// has moved to 3.20 since: a stale base.
	api[0].Annotations = map[string]string{"org.opencontainers.image.base.name": "registry.example.test:5000/base/alpine:latest"}
	api[2].Referrers = []snapshot.Referrer{{Subject: api[2].Digest, Digest: dg("sbom api-1.2.0"), MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 610,
		ArtifactType: "application/vnd.cyclonedx+json", Kind: snapshot.KindSBOM, Format: snapshot.FormatCycloneDX, Source: snapshot.SourceCosign,
		Tag: "sha256-" + api[2].Digest[len("sha256:"):] + ".sbom"}}
	apiRepo := snapshot.Repository{Name: "team-a/api", Images: api, Tags: tagsOf(api...)}

	web := single("web", []string{"main"}, platform("amd64", "web", day(12), map[string]string{
		"org.opencontainers.image.title": "Web front end",
	}, nil, "alpine-3.20-amd64", "web"))
	web.Platforms[0].Config.DiffIDs[0] = amd.Config.DiffIDs[0]
	web.Platforms[0].Layers[0] = amd.Layers[0]
	web.Annotations = map[string]string{
		"org.opencontainers.image.base.name":   "registry.example.test:5000/base/alpine:3.20",
		"org.opencontainers.image.base.digest": idx.Digest,
	}
	webRepo := snapshot.Repository{Name: "team-a/web", Images: []snapshot.Image{web}, Tags: tagsOf(web)}
	webRepo.Failures = []snapshot.Failure{{Repo: "team-a/web", Tag: "broken", Op: "manifest", Status: 404, Error: "manifest unknown"}}

	chart := snapshot.Image{
		Digest: dg("chart"), MediaType: "application/vnd.oci.image.manifest.v1+json", Kind: snapshot.KindArtifact,
		ArtifactType: "application/vnd.cncf.helm.config.v1+json", Tags: []string{"0.1.0"}, Size: 4321,
		Layers: []snapshot.Layer{{Digest: dg("chart layer"), MediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", Size: 3210}},
	}
	chartRepo := snapshot.Repository{Name: "charts/api", Images: []snapshot.Image{chart}, Tags: tagsOf(chart)}

	evil := single("evil", []string{"latest"}, platform("amd64", "evil", day(5), hostileLabels(), []string{"SECRET=do-not-publish"}, "evil"))
	evil.Annotations = map[string]string{"org.opencontainers.image.url": "javascript:alert(document.domain)"}
	evil.Referrers = []snapshot.Referrer{{Subject: evil.Digest, Digest: dg("evil referrer"), MediaType: "application/vnd.oci.image.manifest.v1+json", Size: 99,
		ArtifactType: `application/x"><script>alert("at")</script>`, Annotations: map[string]string{"<b>key</b>": `<img src=x onerror=alert("ann")>`},
		Kind: snapshot.KindOther, Source: snapshot.SourceAPI}}
	evil.ReferrersTruncated = &snapshot.Truncation{Limit: 1, Listed: 7}
	evilRepo := snapshot.Repository{Name: "evil", Images: []snapshot.Image{evil}, Tags: tagsOf(evil)}
	evilRepo.Tags = append(evilRepo.Tags, snapshot.Tag{Name: "<script>", Digest: evil.Digest})
	evilRepo.Skipped = []snapshot.Skipped{{Name: "bad tag\u202e", Reason: "tag does not match the distribution grammar"}}
	evilRepo.ReferrerTags = []snapshot.ReferrerTag{{Name: "sha256-" + dg("elsewhere")[len("sha256:"):] + ".sig", Subject: dg("elsewhere"),
		Scheme: snapshot.SourceCosign, Note: "names a digest that is not an image of this repository: not read"}}

	s, err := snapshot.Build(snapshot.Index{
		Registry:  "registry.example.test:5000",
		CrawledAt: time.Date(2024, 6, 1, 8, 30, 0, 0, time.UTC),
		Failures:  []snapshot.Failure{{Op: "catalog", Status: 503, Error: "service unavailable after 5 attempts"}},
		Skipped:   []snapshot.Skipped{{Name: "Team-B/Bad", Reason: "repository name does not match the distribution grammar"}},
	}, []snapshot.Repository{base, apiRepo, webRepo, chartRepo, evilRepo})
	if err != nil {
		panic(err)
	}
	return s
}

// hostileLabels try every way registry text could become markup, script
// or misleading text on a page.
func hostileLabels() map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":         `<script>alert("title")</script>`,
		"org.opencontainers.image.description":   "Raw <img src=x onerror=alert(1)> and <script>alert(2)</script>\n\n[click](javascript:alert(3)) [data](data:text/html,<script>alert(4)</script>) ![pixel](https://tracker.example/p.png) <javascript:alert(5)>\n\n<iframe src=\"https://evil.example\"></iframe>",
		"org.opencontainers.image.source":        "javascript:alert(6)",
		"org.opencontainers.image.documentation": `"><svg onload=alert(7)>`,
		"org.opencontainers.image.vendor":        "evil\u202eexe.txt",
		"org.opencontainers.image.revision":      `"><script>alert(8)</script>`,
		`"><script>alert(9)</script>`:            `<a href="javascript:alert(10)">x</a>`,
		"com.example.link":                       "JaVaScRiPt:alert(11)",
		"com.example.rtl":                        "\u2067abc\u2069 \u202dxyz\u202c \u200f",
		"com.example.ctl":                        "bell\x07 nul\x00 esc\x1b[31m",
	}
}

// fixtureHistory is a change log that fits fixture(): two earlier
// crawls' changes, one of a repository no longer there and one of a
// hostile tag name.
func fixtureHistory() *changes.Log {
	s := fixture()
	repo := func(name string) *snapshot.Repository {
		for i := range s.Repositories {
			if s.Repositories[i].Name == name {
				return &s.Repositories[i]
			}
		}
		panic(name)
	}
	api, base, evil := repo("team-a/api"), repo("base/alpine"), repo("evil")
	digestOf := func(r *snapshot.Repository, tag string) string {
		for _, t := range r.Tags {
			if t.Name == tag {
				return t.Digest
			}
		}
		panic(tag)
	}
	crawled := s.Index.CrawledAt
	return &changes.Log{Sets: []*changes.Set{
		{Registry: s.Index.Registry, Since: crawled.Add(-72 * time.Hour), CrawledAt: crawled.Add(-48 * time.Hour), Repositories: []changes.Repo{
			{Name: "base/alpine", Status: changes.Changed,
				NewTags:     []changes.Tag{{Name: "3.20", Digest: digestOf(base, "3.20")}},
				ChangedTags: []changes.Move{{Name: "latest", OldDigest: digestOf(base, "3.19"), Digest: digestOf(base, "latest")}},
				NewImages:   []string{digestOf(base, "3.20")}},
			{Name: "legacy/app", Status: changes.Removed,
				DeletedTags:   []changes.Tag{{Name: "1.0", Digest: dg("legacy")}},
				DeletedImages: []string{dg("legacy")}},
		}},
		{Registry: s.Index.Registry, Since: crawled.Add(-48 * time.Hour), CrawledAt: crawled, Repositories: []changes.Repo{
			{Name: "evil", Status: changes.Changed, NewTags: []changes.Tag{{Name: "<script>", Digest: digestOf(evil, "latest")}}},
			{Name: "team-a/api", Status: changes.Changed,
				NewTags:     []changes.Tag{{Name: "v1.2.0", Digest: digestOf(api, "v1.2.0")}},
				ChangedTags: []changes.Move{{Name: "latest", OldDigest: digestOf(api, "v1.1.0"), Digest: digestOf(api, "latest")}},
				DeletedTags: []changes.Tag{{Name: "rc", Digest: dg("api-rc")}},
				NewImages:   []string{digestOf(api, "v1.2.0")}, DeletedImages: []string{dg("api-rc")}},
		}},
	}}
}
