package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/lint"
)

// runLint runs regcat with args and returns the exit code, stdout and
// stderr.
func runLint(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestLintExitCodes runs regcat lint on the renderer's fixture snapshot,
// whose evil repository has invalid URLs and a revision that is no
// commit, and whose team-a/api:v1.0.0 declares base/alpine:latest,
// which has moved since.
func TestLintExitCodes(t *testing.T) {
	const fixture = "../../render/testdata/fixture"
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a line the output must hold
	}{
		{"warnings only", []string{"lint", "-s", fixture}, exitOK, "warning: evil:latest@sha256:49df0f04da5e invalid-url: source \"javascript:alert(6)\" is not an http(s) URL"},
		{"stale base fails", []string{"lint", "-s", fixture, "--fail-on", "stale-base"}, exitFatal,
			`error: team-a/api:v1.0.0@sha256:6809643364b7 stale-base: built on "registry.example.test:5000/base/alpine:latest" = sha256:8409df0bf429; latest is now sha256:e4fbc9d84109, 9 days newer`},
		{"a rule nothing breaks", []string{"lint", "-s", fixture, "--fail-on", "no-labels,inherited-label"}, exitOK, ""},
		{"all", []string{"lint", "-s", fixture, "--fail-on", "all", "--format", "github"}, exitFatal, "::error title=invalid-url evil%3Alatest@sha256%3A49df0f04da5e::"},
		// base/alpine:3.19 carries only Label Schema keys: no OCI source.
		{"required key missing", []string{"lint", "-s", fixture, "--require", "source"}, exitFatal,
			"error: base/alpine:3.19@sha256:8409df0bf429 missing-key: no org.opencontainers.image.source label or annotation (required)"},
		{"unknown rule", []string{"lint", "-s", fixture, "--fail-on", "stale"}, exitUsage, ""},
		{"unknown format", []string{"lint", "-s", fixture, "--format", "xml"}, exitUsage, ""},
		{"empty required key", []string{"lint", "-s", fixture, "--require", "source,"}, exitUsage, ""},
		{"positional argument", []string{"lint", "extra"}, exitUsage, ""},
		{"no snapshot", []string{"lint", "-s", filepath.Join(t.TempDir(), "none")}, exitFatal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runLint(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.stdout != "" && !strings.Contains(stdout, tt.stdout) {
				t.Errorf("output does not hold %q:\n%s", tt.stdout, stdout)
			}
		})
	}
}

// image is a single-platform OCI image of one layer per name on top of
// base's layers, created at created, with labels and manifest
// annotations.
func image(t *testing.T, base v1.Image, created time.Time, labels, annotations map[string]string, layers ...string) v1.Image {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(base, types.OCIManifestSchema1), types.OCIConfigJSON)
	for _, l := range layers {
		var err error
		if img, err = mutate.AppendLayers(img, static.NewLayer([]byte("layer "+l), types.OCIUncompressedLayer)); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", "amd64", v1.Time{Time: created}
	cf.Config.Labels = labels
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	if len(annotations) > 0 {
		img = mutate.Annotations(img, annotations).(v1.Image)
	}
	return img
}

func push(t *testing.T, host, ref string, img v1.Image) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(host+"/"+ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLintStaleBaseCrawled builds images with go-containerregistry in an
// in-process registry: base/go:1.2 was A when app/api and app/worker
// were built on it, then moved to B three weeks later (A keeps its
// immutable tag 1.2.0). app/api declares its base (base.name and
// base.digest), so it needs a rebuild; app/worker declares nothing and
// is found by layers on A, whose tag 1.2.0 has not moved. regcat crawl,
// then regcat lint --fail-on stale-base, must say exactly that.
func TestLintStaleBaseCrawled(t *testing.T) {
	hermetic(t)
	reg := regtest.NewGGCR(t)
	day := func(d int) time.Time { return time.Date(2024, 5, d, 12, 0, 0, 0, time.UTC) }
	a := image(t, empty.Image, day(1), map[string]string{"org.opencontainers.image.version": "1.2.0"}, nil, "debian", "go-1.2.0")
	b := image(t, empty.Image, day(22), map[string]string{"org.opencontainers.image.version": "1.2.1"}, nil, "debian", "go-1.2.1")
	push(t, reg.Host, "base/go:1.2.0", a)
	digestA := push(t, reg.Host, "base/go:1.2", a)
	api := image(t, a, day(5), map[string]string{"org.opencontainers.image.version": "3.0.0"}, map[string]string{
		"org.opencontainers.image.base.name":   reg.Host + "/base/go:1.2",
		"org.opencontainers.image.base.digest": digestA.String(),
	}, "api")
	worker := image(t, a, day(6), map[string]string{"org.opencontainers.image.version": "1.2.0"}, nil, "worker")
	digestAPI := push(t, reg.Host, "app/api:v3", api)
	push(t, reg.Host, "app/worker:v1", worker)
	digestB := push(t, reg.Host, "base/go:1.2", b)

	snap := filepath.Join(t.TempDir(), "snap")
	if code, _, stderr := runLint(t, "crawl", reg.Host, "--snapshot", snap, "-q"); code != exitOK {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runLint(t, "lint", "-s", snap); code != exitOK {
		t.Errorf("lint without --fail-on: exit %d, want 0\n%s", code, stderr)
	}
	code, stdout, stderr := runLint(t, "lint", "-s", snap, "--fail-on", "stale-base", "--format", "json")
	if code != exitFatal {
		t.Fatalf("lint --fail-on stale-base: exit %d, want 1\n%s", code, stderr)
	}
	var findings []lint.Finding
	if err := json.Unmarshal([]byte(stdout), &findings); err != nil {
		t.Fatalf("json output: %v\n%s", err, stdout)
	}
	var stale, inherited []lint.Finding
	for _, f := range findings {
		switch f.Rule {
		case lint.RuleStaleBase:
			stale = append(stale, f)
		case lint.RuleInheritedLabel:
			inherited = append(inherited, f)
		}
	}
	want := `built on "` + reg.Host + `/base/go:1.2" = ` + lint.Short(digestA.String()) + `; 1.2 is now ` + lint.Short(digestB.String()) + `, 3 weeks newer`
	if len(stale) != 1 || stale[0].Repo != "app/api" || stale[0].Digest != digestAPI.String() || stale[0].Message != want {
		t.Errorf("stale-base findings %+v\nwant one for app/api: %s", stale, want)
	}
	// app/worker kept the base's version label: inherited, found by
	// layers.
	if len(inherited) != 1 || inherited[0].Repo != "app/worker" || inherited[0].Value != "1.2.0" {
		t.Errorf("inherited-label findings %+v, want app/worker's version 1.2.0", inherited)
	}
}
