package regtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/snapshot"
)

// Media types and annotations of the Standard fixture that go-containerregistry
// has no constant for.
const (
	// MediaTypeInToto is the layer media type of buildx attestations.
	MediaTypeInToto types.MediaType = "application/vnd.in-toto+json"
	// MediaTypeEmpty is the OCI 1.1 empty config of artifacts.
	MediaTypeEmpty types.MediaType = "application/vnd.oci.empty.v1+json"
	// MediaTypeSPDX is the artifactType and layer media type of the SBOM
	// artifact.
	MediaTypeSPDX types.MediaType = "application/spdx+json"
	// MediaTypeHelmConfig is the config media type of the Helm chart.
	MediaTypeHelmConfig types.MediaType = "application/vnd.cncf.helm.config.v1+json"
	// MediaTypeHelmChart is the layer media type of the Helm chart.
	MediaTypeHelmChart types.MediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

	// AnnotationReferenceType marks a buildx attestation manifest in an index
	// ("attestation-manifest").
	AnnotationReferenceType = snapshot.KeyRefType
	// AnnotationReferenceDigest is the digest of the platform manifest that
	// a buildx attestation manifest describes.
	AnnotationReferenceDigest = snapshot.KeyRefDigest
	// AnnotationBaseName is the OCI annotation naming an image's base image.
	AnnotationBaseName = snapshot.KeyBaseName
	// AnnotationBaseDigest is the OCI annotation with the base image's
	// manifest digest.
	AnnotationBaseDigest = snapshot.KeyBaseDigest
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err) // only on a typo in this file
	}
	return t
}

// fakeHex returns a fixed 40-hex "commit" or 64-hex id derived from s.
func fakeHex(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// Standard returns the standard fixture. Every run gives the same bytes and
// digests. Its repositories and what each one exercises:
//
//   - a/b/c/d (nested name): "1.0" and its alias "latest" are a Docker
//     manifest list of linux/amd64 and linux/arm64/v8 Docker schema 2 images,
//     created 2022-08-08T08:08:08Z, with one label.
//   - base/os (Docker schema 2, label-schema labels, history with
//     empty_layer): "3.18" created 2023-06-01T08:00:00Z; "3.19", with aliases
//     "3" and "latest", created 2023-12-01T08:00:00Z. Both linux/amd64.
//   - charts/web: "0.3.1" is a Helm chart, an OCI manifest with config
//     media type MediaTypeHelmConfig and no created time.
//   - legacy/app: "1.0" is an unsigned Docker schema1 manifest
//     (application/vnd.docker.distribution.manifest.v1+prettyjws) whose
//     v1Compatibility history says created 2017-05-04T12:00:00Z, linux/amd64,
//     label maintainer=ops@example.com. Only NewGGCR accepts it; see
//     Fixture.WithoutSchema1.
//   - team-a/api (OCI index, full OCI labels, buildx attestations, lineage,
//     created times against tag order): "v1.10" created 2024-04-01T10:00:00Z
//     is OLDER than "v1.9" created 2024-05-02T10:00:00Z; "latest" aliases
//     v1.9. Each index holds linux/amd64, linux/arm64/v8 and linux/arm/v7
//     images plus one attestation manifest per platform (platform
//     unknown/unknown, AnnotationReferenceType "attestation-manifest",
//     AnnotationReferenceDigest of its platform manifest). The amd64 image's
//     layers start with base/os:3.19's layer and carry AnnotationBaseName
//     "base/os:3.19" (registry-relative: the test port changes every run) and
//     AnnotationBaseDigest. A tag "sha256-<hex of v1.9>.sbom" holds an OCI
//     artifact: artifactType MediaTypeSPDX, config MediaTypeEmpty, subject
//     the v1.9 index; and a tag "sha256-<hex of v1.9>", the OCI referrers
//     fallback index listing that artifact (no platforms, artifactType set).
//   - team-a/tools/cli (Docker schema 2, no labels at all): "1.0" created
//     2023-11-05T12:30:00Z on base/os:3.18's layer, "1.1" created
//     2023-12-24T09:15:00Z on base/os:3.19's layer, "edge" aliases 1.1. No
//     base annotations: lineage only from layers.
//   - team-a/worker (OCI image, lineage by annotation, hostile label
//     values): "2.0.0" and alias "2.0" created 2024-02-15T16:45:00Z, on
//     base/os:3.19. Its description label holds markup (<team-a> & "friends")
//     and its documentation label is a javascript: URL that must never become
//     a link.
func Standard(tb testing.TB) *Fixture {
	tb.Helper()
	b := &builder{}
	base318, base319 := b.baseOS("3.18", utc("2023-06-01T08:00:00Z")), b.baseOS("3.19", utc("2023-12-01T08:00:00Z"))
	api19 := b.api("1.9", utc("2024-05-02T10:00:00Z"), base319)
	api110 := b.api("1.10", utc("2024-04-01T10:00:00Z"), base319)
	cli10 := b.cli("1.0", utc("2023-11-05T12:30:00Z"), "3.18")
	cli11 := b.cli("1.1", utc("2023-12-24T09:15:00Z"), "3.19")
	worker := b.worker(base319)
	d := b.nested()
	referrers, sbom := b.sbom(api19)

	fx := &Fixture{Repos: []Repo{
		{Name: "a/b/c/d", Tags: []Tag{b.tag("1.0", d), b.tag("latest", d)}},
		{Name: "base/os", Tags: []Tag{
			b.tag("3", base319), b.tag("3.18", base318), b.tag("3.19", base319), b.tag("latest", base319),
		}},
		{Name: "charts/web", Tags: []Tag{b.helmChart()}},
		{Name: "legacy/app", Tags: []Tag{b.schema1()}},
		{Name: "team-a/api", Tags: []Tag{
			b.tag("latest", api19), referrers, sbom, b.tag("v1.10", api110), b.tag("v1.9", api19),
		}},
		{Name: "team-a/tools/cli", Tags: []Tag{b.tag("1.0", cli10), b.tag("1.1", cli11), b.tag("edge", cli11)}},
		{Name: "team-a/worker", Tags: []Tag{b.tag("2.0", worker), b.tag("2.0.0", worker)}},
	}}
	if b.err != nil {
		tb.Fatalf("regtest: build standard fixture: %v", b.err)
	}
	return fx
}

var archs = map[string]v1.Platform{
	"amd64": {OS: "linux", Architecture: "amd64"},
	"arm64": {OS: "linux", Architecture: "arm64", Variant: "v8"},
	"arm":   {OS: "linux", Architecture: "arm", Variant: "v7"},
}

// osFiles are the files of the base OS layer of version for arch.
func osFiles(version, arch string) []file {
	return []file{
		{"etc/os-release", fmt.Sprintf("NAME=\"Regtest OS\"\nID=regtest\nVERSION_ID=%s\n", version)},
		{"etc/arch", arch + "\n"},
	}
}

func baseHistory(version string, created time.Time) []v1.History {
	return []v1.History{
		{Created: v1.Time{Time: created}, CreatedBy: "/bin/sh -c #(nop) ADD file:" + fakeHex("os"+version, 64) + " in / "},
		{Created: v1.Time{Time: created}, CreatedBy: `/bin/sh -c #(nop)  CMD ["/bin/sh"]`, EmptyLayer: true},
	}
}

func (b *builder) baseOS(version string, created time.Time) v1.Image {
	return b.image(imageSpec{
		docker:   true,
		platform: archs["amd64"],
		created:  created,
		config: v1.Config{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Cmd: []string{"/bin/sh"},
			Labels: map[string]string{
				"org.label-schema.schema-version": "1.0",
				"org.label-schema.name":           "regtest-os",
				"org.label-schema.version":        version,
				"org.label-schema.build-date":     created.Format(time.RFC3339),
				"org.label-schema.vcs-url":        "https://git.example.com/base/os",
				"org.label-schema.vcs-ref":        fakeHex("os"+version, 40),
				"org.label-schema.vendor":         "Example Ops",
			},
		},
		layers:  []v1.Layer{b.layer(types.DockerLayer, osFiles(version, "amd64")...)},
		history: baseHistory(version, created),
	})
}

// buildkitHistory is the history a Dockerfile build adds on top of a base.
func buildkitHistory(created time.Time, copyFrom, entrypoint string) []v1.History {
	c := v1.Time{Time: created}
	const k = "buildkit.dockerfile.v0"
	return []v1.History{
		{Created: c, CreatedBy: "ARG TARGETARCH", Comment: k, EmptyLayer: true},
		{Created: c, CreatedBy: "COPY " + copyFrom + " " + entrypoint + " # buildkit", Comment: k},
		{Created: c, CreatedBy: "USER 65532:65532", Comment: k, EmptyLayer: true},
		{Created: c, CreatedBy: fmt.Sprintf("ENTRYPOINT [%q]", entrypoint), Comment: k, EmptyLayer: true},
	}
}

func (b *builder) api(version string, created time.Time, base v1.Image) v1.ImageIndex {
	labels := map[string]string{
		"org.opencontainers.image.title":         "api",
		"org.opencontainers.image.description":   "Team A's public HTTP API",
		"org.opencontainers.image.source":        "https://git.example.com/team-a/api",
		"org.opencontainers.image.revision":      fakeHex("api"+version, 40),
		"org.opencontainers.image.version":       version + ".0",
		"org.opencontainers.image.licenses":      "Apache-2.0",
		"org.opencontainers.image.url":           "https://team-a.example.com/api",
		"org.opencontainers.image.documentation": "https://team-a.example.com/api/docs",
		"org.opencontainers.image.vendor":        "Team A",
		"org.opencontainers.image.created":       created.Format(time.RFC3339),
	}
	var entries, attestations []entry
	for _, arch := range []string{"amd64", "arm64", "arm"} {
		p := archs[arch]
		osLayer := b.layer(types.OCILayer, osFiles("3.19", arch)...)
		var ann map[string]string
		if arch == "amd64" {
			// Same bytes as base/os:3.19's Docker layer: lineage.
			ann = map[string]string{AnnotationBaseName: "base/os:3.19", AnnotationBaseDigest: b.digest(base).String()}
		}
		app := b.layer(types.OCILayer, file{"usr/local/bin/api", fmt.Sprintf("#!/bin/sh\necho api %s %s\n", version, arch)})
		img := b.image(imageSpec{
			platform: p,
			created:  created,
			author:   "Team A <team-a@example.com>",
			config: v1.Config{
				Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
				Entrypoint:   []string{"/usr/local/bin/api"},
				User:         "65532:65532",
				WorkingDir:   "/",
				ExposedPorts: map[string]struct{}{"8080/tcp": {}},
				Labels:       labels,
			},
			layers:      []v1.Layer{osLayer, app},
			history:     append(baseHistory("3.19", utc("2023-12-01T08:00:00Z")), buildkitHistory(created, "/out/api", "/usr/local/bin/api")...),
			annotations: ann,
		})
		entries = append(entries, entry{image: img, platform: p})
		attestations = append(attestations, entry{
			image:    b.attestation("team-a/api", version, p, img),
			platform: v1.Platform{OS: "unknown", Architecture: "unknown"},
			annotations: map[string]string{
				AnnotationReferenceType:   "attestation-manifest",
				AnnotationReferenceDigest: b.digest(img).String(),
			},
		})
	}
	return b.index(types.OCIImageIndex, map[string]string{
		snapshot.KeySource:   labels[snapshot.KeySource],
		snapshot.KeyRevision: labels[snapshot.KeyRevision],
	}, append(entries, attestations...)...)
}

// attestation is a buildx-style SBOM attestation manifest for subject.
func (b *builder) attestation(repo, version string, p v1.Platform, subject v1.Image) v1.Image {
	stmt, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v0.1",
		"predicateType": "https://spdx.dev/Document",
		"subject": []any{map[string]any{
			"name":   fmt.Sprintf("pkg:docker/%s@%s?platform=%s", repo, version, p.OS+"%2F"+p.Architecture),
			"digest": map[string]string{"sha256": b.digest(subject).Hex},
		}},
		"predicate": map[string]any{"spdxVersion": "SPDX-2.3", "name": repo, "packages": []any{}},
	})
	if err != nil {
		b.fail(err)
	}
	return b.image(imageSpec{
		platform:         v1.Platform{OS: "unknown", Architecture: "unknown"},
		layers:           []v1.Layer{static.NewLayer(stmt, MediaTypeInToto)},
		layerAnnotations: map[int]map[string]string{0: {snapshot.KeyPredicateType: "https://spdx.dev/Document"}},
	})
}

func (b *builder) cli(version string, created time.Time, osVersion string) v1.Image {
	return b.image(imageSpec{
		docker:   true,
		platform: archs["amd64"],
		created:  created,
		config:   v1.Config{Entrypoint: []string{"/usr/local/bin/cli"}},
		layers: []v1.Layer{
			b.layer(types.DockerLayer, osFiles(osVersion, "amd64")...),
			b.layer(types.DockerLayer, file{"usr/local/bin/cli", "#!/bin/sh\necho cli " + version + "\n"}),
		},
		history: append(baseHistory(osVersion, created), buildkitHistory(created, "cli", "/usr/local/bin/cli")...),
	})
}

func (b *builder) worker(base v1.Image) v1.Image {
	created := utc("2024-02-15T16:45:00Z")
	return b.image(imageSpec{
		platform: archs["amd64"],
		created:  created,
		config: v1.Config{
			Entrypoint: []string{"/usr/local/bin/worker"},
			Labels: map[string]string{
				"org.opencontainers.image.title":         "worker",
				"org.opencontainers.image.description":   `Background jobs for <team-a> & "friends"`,
				"org.opencontainers.image.source":        "https://git.example.com/team-a/worker",
				"org.opencontainers.image.licenses":      "MIT",
				"org.opencontainers.image.documentation": "javascript:alert(1)",
				"org.label-schema.schema-version":        "1.0",
				"org.label-schema.vcs-url":               "https://git.example.com/team-a/worker",
			},
		},
		layers: []v1.Layer{
			b.layer(types.OCILayer, osFiles("3.19", "amd64")...),
			b.layer(types.OCILayer, file{"usr/local/bin/worker", "#!/bin/sh\necho worker 2.0.0\n"}),
		},
		history:     append(baseHistory("3.19", utc("2023-12-01T08:00:00Z")), buildkitHistory(created, "worker", "/usr/local/bin/worker")...),
		annotations: map[string]string{AnnotationBaseName: "base/os:3.19", AnnotationBaseDigest: b.digest(base).String()},
	})
}

// nested is the Docker manifest list of a/b/c/d.
func (b *builder) nested() v1.ImageIndex {
	created := utc("2022-08-08T08:08:08Z")
	var entries []entry
	for _, arch := range []string{"amd64", "arm64"} {
		p := archs[arch]
		img := b.image(imageSpec{
			docker:   true,
			platform: p,
			created:  created,
			config:   v1.Config{Cmd: []string{"/d"}, Labels: map[string]string{"org.opencontainers.image.title": "d"}},
			layers:   []v1.Layer{b.layer(types.DockerLayer, file{"d", "d for " + arch + "\n"})},
			history:  []v1.History{{Created: v1.Time{Time: created}, CreatedBy: "COPY d /d # buildkit", Comment: "buildkit.dockerfile.v0"}},
		})
		entries = append(entries, entry{image: img, platform: p})
	}
	return b.index(types.DockerManifestList, nil, entries...)
}

// sbom is an OCI 1.1 artifact, an SPDX document attached to subject and
// tagged "sha256-<hex>.sbom", plus the referrers fallback tag
// "sha256-<hex>" that go-containerregistry's push writes for a registry
// without the referrers API (both test registries), with the bytes it
// writes, so that the fixture is the same on every registry.
func (b *builder) sbom(subject v1.ImageIndex) (referrers, artifact Tag) {
	cfg := static.NewLayer([]byte("{}"), MediaTypeEmpty)
	doc := static.NewLayer([]byte(`{"spdxVersion":"SPDX-2.3","name":"team-a/api","packages":[]}`+"\n"), MediaTypeSPDX)
	sub := b.descriptor(subject)
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  string(MediaTypeSPDX),
		Config:        b.descriptor(cfg),
		Layers:        []v1.Descriptor{b.descriptor(doc)},
		Subject:       &v1.Descriptor{MediaType: sub.MediaType, Digest: sub.Digest, Size: sub.Size},
		Annotations:   map[string]string{"org.opencontainers.image.created": "2024-05-02T10:05:00Z"},
	}
	m.Config.Data = []byte("{}")
	m.Layers[0].Annotations = map[string]string{"org.opencontainers.image.title": "sbom.spdx.json"}
	tag := "sha256-" + sub.Digest.Hex
	artifact = b.raw(tag+".sbom", types.OCIManifestSchema1, b.marshal(m), cfg, doc)
	fallback := v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType:    types.OCIManifestSchema1,
			Digest:       artifact.Digest,
			Size:         int64(len(artifact.Raw.Manifest)),
			Annotations:  m.Annotations,
			ArtifactType: m.ArtifactType,
		}},
	}
	// Push writes the same bytes again after the artifact's push wrote them.
	return b.raw(tag, types.OCIImageIndex, b.marshalCompact(fallback)), artifact
}

// helmChart is a Helm chart as `helm push` stores it.
func (b *builder) helmChart() Tag {
	cfg := static.NewLayer([]byte(`{"name":"web","version":"0.3.1","description":"A web server","apiVersion":"v2","appVersion":"1.25.3","type":"application"}`), MediaTypeHelmConfig)
	chart := static.NewLayer(gzipTar(
		file{"web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.3.1\nappVersion: 1.25.3\n"},
		file{"web/values.yaml", "replicaCount: 1\n"},
	), MediaTypeHelmChart)
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        b.descriptor(cfg),
		Layers:        []v1.Descriptor{b.descriptor(chart)},
		Annotations: map[string]string{
			"org.opencontainers.image.title":       "web",
			"org.opencontainers.image.version":     "0.3.1",
			"org.opencontainers.image.description": "A web server",
		},
	}
	return b.raw("0.3.1", types.OCIManifestSchema1, b.marshal(m), cfg, chart)
}

// schema1 is an unsigned legacy Docker schema1 manifest of two layers,
// newest history entry first as the format has it.
func (b *builder) schema1() Tag {
	app := b.layer(types.DockerLayer, file{"app", "#!/bin/sh\necho legacy\n"})
	empty := b.layer(types.DockerLayer)
	baseID, topID := fakeHex("legacy-base", 64), fakeHex("legacy-top", 64)
	compat := func(v map[string]any) map[string]string {
		return map[string]string{"v1Compatibility": string(b.marshalCompact(v))}
	}
	m := map[string]any{
		"schemaVersion": 1,
		"name":          "legacy/app",
		"tag":           "1.0",
		"architecture":  "amd64",
		"fsLayers": []map[string]string{
			{"blobSum": b.digest(empty).String()},
			{"blobSum": b.digest(app).String()},
		},
		"history": []map[string]string{
			compat(map[string]any{
				"id": topID, "parent": baseID, "created": "2017-05-04T12:00:00Z",
				"architecture": "amd64", "os": "linux", "docker_version": "17.03.1-ce", "throwaway": true,
				"config": map[string]any{
					"Cmd":    []string{"/app"},
					"Env":    []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
					"Labels": map[string]string{"maintainer": "ops@example.com"},
				},
				"container_config": map[string]any{"Cmd": []string{"/bin/sh", "-c", `#(nop)  CMD ["/app"]`}},
			}),
			compat(map[string]any{
				"id": baseID, "created": "2017-05-04T11:59:00Z",
				"container_config": map[string]any{"Cmd": []string{"/bin/sh", "-c", "#(nop) ADD file:" + fakeHex("legacy-app", 64) + " in /app "}},
			}),
		},
	}
	body, err := json.MarshalIndent(m, "", "   ")
	if err != nil {
		b.fail(err)
	}
	return b.raw("1.0", types.DockerManifestSchema1Signed, body, app, empty)
}

func (b *builder) marshal(v any) []byte {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		b.fail(err)
	}
	return body
}

func (b *builder) marshalCompact(v any) []byte {
	body, err := json.Marshal(v)
	if err != nil {
		b.fail(err)
	}
	return body
}
