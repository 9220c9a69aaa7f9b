package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/lint"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/snapshot"
)

// moduleRoot is the regcat module this test builds.
const moduleRoot = "../.."

// built is the image TestImage builds once, written to a tarball and read
// back as docker load or crane push would read it.
type built struct {
	img  v1.Image
	meta Meta
	cf   *v1.ConfigFile
	// files maps each path in the image (without the leading slash) to its
	// tar header and contents.
	files map[string]tarFile
}

type tarFile struct {
	hdr  *tar.Header
	data []byte
}

// TestImage builds regcat's image as CI does (go run
// ./internal/cmd/buildimage's defaults, for this machine's architecture)
// and checks what it holds, then pushes it to an in-process registry,
// crawls it and checks the labels regcat itself reads.
func TestImage(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	ctx := context.Background()
	img, meta, err := Build(ctx, Config{Dir: moduleRoot})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "regcat-image.tar")
	tag, err := name.NewTag(Tag(meta))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteArchive(archive, img, tag); err != nil {
		t.Fatal(err)
	}
	b := readArchive(t, archive, tag)

	t.Run("metadata from git", func(t *testing.T) { checkMeta(t, meta) })
	t.Run("config", func(t *testing.T) { checkConfig(t, b) })
	t.Run("labels", func(t *testing.T) {
		for _, k := range recommended {
			if strings.TrimSpace(b.cf.Config.Labels[k]) == "" {
				t.Errorf("config label %s missing", k)
			}
		}
	})
	t.Run("annotations", func(t *testing.T) { checkAnnotations(t, b) })
	t.Run("rootfs", func(t *testing.T) { checkRootfs(t, b) })
	t.Run("static binary runs", func(t *testing.T) { checkBinary(t, b) })
	t.Run("reproducible", func(t *testing.T) {
		again, _, err := Build(ctx, Config{Dir: moduleRoot})
		if err != nil {
			t.Fatal(err)
		}
		d1, _ := img.Digest()
		d2, _ := again.Digest()
		if d1 != d2 {
			t.Errorf("two builds of the same tree: %s and %s", d1, d2)
		}
	})
	t.Run("crawled", func(t *testing.T) { checkCrawled(t, b) })
}

// readArchive reads the image back from the OCI archive, as an OCI
// layout, and its files from its one layer.
func readArchive(t *testing.T, path string, tag name.Tag) *built {
	t.Helper()
	dir := t.TempDir()
	untar(t, path, dir)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("index.json has %d manifests, want 1", len(im.Manifests))
	}
	d := im.Manifests[0]
	if d.Annotations[snapshot.KeyRefName] != tag.TagStr() || d.Annotations["io.containerd.image.name"] != tag.String() {
		t.Errorf("index.json annotations %v, want the reference %s", d.Annotations, tag)
	}
	img, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	b := &built{img: img, cf: cf, files: map[string]tarFile{}}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(io.LimitReader(tr, 256<<20))
		if err != nil {
			t.Fatal(err)
		}
		b.files[strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "/"), "/")] = tarFile{hdr, data}
	}
	b.meta = Meta{Version: cf.Config.Labels[snapshot.KeyVersion]}
	return b
}

// untar extracts the archive at path into dir, refusing names that leave
// it.
func untar(t *testing.T, path, dir string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsLocal(hdr.Name) {
			t.Fatalf("archive entry %q leaves the directory", hdr.Name)
		}
		p := filepath.Join(dir, hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			var data []byte
			if data, err = io.ReadAll(io.LimitReader(tr, 256<<20)); err == nil {
				err = os.WriteFile(p, data, 0o644)
			}
		default:
			t.Fatalf("archive entry %q of type %c", hdr.Name, hdr.Typeflag)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkMeta compares the defaults resolved from git with git's own answers.
func checkMeta(t *testing.T, m Meta) {
	head := gitOut(t, "rev-parse", "HEAD")
	if m.Revision != head {
		t.Errorf("revision %s, want HEAD %s", m.Revision, head)
	}
	sec, err := strconv.ParseInt(gitOut(t, "log", "-1", "--format=%ct"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(sec, 0).UTC(); !m.Created.Equal(want) {
		t.Errorf("created %s, want HEAD's commit time %s", m.Created, want)
	}
	if !strings.Contains(m.Version, head[:12]) && !regexp.MustCompile(`^v\d+\.\d+\.\d+`).MatchString(m.Version) {
		t.Errorf("version %q is neither a tag nor HEAD's pseudo-version", m.Version)
	}
	if m.Arch != runtime.GOARCH || m.Licenses != DefaultLicenses {
		t.Errorf("arch %q licenses %q: want the defaults", m.Arch, m.Licenses)
	}
}

func gitOut(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = moduleRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func checkConfig(t *testing.T, b *built) {
	c := b.cf.Config
	if strings.Join(c.Entrypoint, " ") != "/regcat" || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want [/regcat] and none", c.Entrypoint, c.Cmd)
	}
	uid, gid, ok := strings.Cut(c.User, ":")
	if !ok || uid == "0" || gid == "0" || uid == "" || strings.Contains(uid, "root") {
		t.Errorf("user %q: want a numeric non-root uid:gid (Kubernetes runAsNonRoot needs numbers)", c.User)
	}
	if _, err := strconv.Atoi(uid); err != nil {
		t.Errorf("user %q: uid is not numeric", c.User)
	}
	if b.cf.OS != "linux" || b.cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", b.cf.OS, b.cf.Architecture)
	}
	if c.WorkingDir == "" || b.files[strings.TrimPrefix(c.WorkingDir, "/")].hdr == nil {
		t.Errorf("working dir %q is not in the image", c.WorkingDir)
	}
	mt, err := b.img.MediaType()
	if err != nil || mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s (%v), want OCI", mt, err)
	}
	layers, err := b.img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
	if lmt, _ := layers[0].MediaType(); lmt != types.OCILayer {
		t.Errorf("layer media type %s, want %s", lmt, types.OCILayer)
	}
	if len(b.cf.History) != 1 || !b.cf.History[0].Created.Equal(b.cf.Created.Time) {
		t.Errorf("history %+v: want one entry created with the image", b.cf.History)
	}
}

func checkAnnotations(t *testing.T, b *built) {
	m, err := b.img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	labels := b.cf.Config.Labels
	if len(m.Annotations) != len(labels) {
		t.Errorf("%d annotations, %d labels: want the same set", len(m.Annotations), len(labels))
	}
	for k, v := range labels {
		if m.Annotations[k] != v {
			t.Errorf("annotation %s = %q, label %q", k, m.Annotations[k], v)
		}
	}
}

func checkRootfs(t *testing.T, b *built) {
	passwd := string(b.files["etc/passwd"].data)
	uid, _, _ := strings.Cut(b.cf.Config.User, ":")
	if !regexp.MustCompile(`(?m)^nonroot:x:` + uid + `:` + uid + `:`).MatchString(passwd) {
		t.Errorf("/etc/passwd has no nonroot user %s:\n%s", uid, passwd)
	}
	tests := []struct {
		path string
		mode os.FileMode
		dir  bool
		uid  int
	}{
		{"regcat", 0o755, false, 0},
		{"tmp", os.ModeSticky | 0o777, true, 0},
		{"home/nonroot", 0o700, true, UID},
		{"data", 0o755, true, UID},
		{"etc/group", 0o644, false, 0},
	}
	for _, tt := range tests {
		f, ok := b.files[tt.path]
		if !ok {
			t.Errorf("/%s is missing", tt.path)
			continue
		}
		fi := f.hdr.FileInfo()
		if fi.IsDir() != tt.dir || fi.Mode().Perm()|fi.Mode()&os.ModeSticky != tt.mode || f.hdr.Uid != tt.uid {
			t.Errorf("/%s: mode %v dir %v uid %d, want %v %v %d", tt.path, fi.Mode(), fi.IsDir(), f.hdr.Uid, tt.mode, tt.dir, tt.uid)
		}
		if !f.hdr.ModTime.Equal(b.cf.Created.Time) || f.hdr.Uname != "" {
			t.Errorf("/%s: mtime %s uname %q, want the image's created time and no name", tt.path, f.hdr.ModTime, f.hdr.Uname)
		}
	}
	host, err := os.ReadFile(DefaultCACerts)
	ca, inImage := b.files[strings.TrimPrefix(DefaultCACerts, "/")]
	switch {
	case err == nil && (!inImage || !bytes.Equal(ca.data, host)):
		t.Errorf("%s differs from the build machine's", DefaultCACerts)
	case err != nil && inImage:
		t.Errorf("%s is in the image but not on the build machine", DefaultCACerts)
	}
}

// checkBinary checks that /regcat is a static ELF executable for the
// image's architecture and, extracted, prints the image's version.
func checkBinary(t *testing.T, b *built) {
	data := b.files["regcat"].data
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("/regcat: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("/regcat has a %v program header: not static", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("/regcat needs %v", libs)
	}
	if f.Section(".symtab") != nil {
		t.Error("/regcat has a symbol table: not built with -s")
	}
	if runtime.GOOS != "linux" {
		return // the binary is linux's; what follows runs it
	}
	bin := filepath.Join(t.TempDir(), "regcat")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("regcat --version: %v\n%s", err, out)
	}
	if want := "regcat version " + b.meta.Version + "\n"; string(out) != want {
		t.Errorf("regcat --version printed %q, want %q", out, want)
	}
	if out, err := exec.Command(bin, "--help").CombinedOutput(); err != nil || !bytes.Contains(out, []byte("regcat crawls")) {
		t.Errorf("regcat --help: %v\n%s", err, out)
	}
}

// checkCrawled pushes the image to go-containerregistry's in-process
// registry, crawls it with regcat's pipeline and checks the labels and
// config regcat recorded in the snapshot.
func checkCrawled(t *testing.T, b *built) {
	ctx := context.Background()
	reg := regtest.NewGGCR(t)
	ref, err := name.NewTag(reg.Host+"/regcat/regcat:"+strings.ReplaceAll(b.meta.Version, "+", "-"), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, b.img, remote.WithContext(ctx), remote.WithAuth(reg.Auth())); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snapshot")
	if _, err := pipeline.Run(ctx, pipeline.Config{SnapshotDir: dir, Crawl: &crawler.Config{Registry: reg.Host, Auth: reg.Auth()}}); err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Repositories) != 1 || s.Repositories[0].Name != "regcat/regcat" || len(s.Repositories[0].Images) != 1 {
		t.Fatalf("snapshot: %+v", s.Index)
	}
	im := s.Repositories[0].Images[0]
	digest, _ := b.img.Digest()
	if im.Digest != digest.String() || len(im.Platforms) != 1 {
		t.Fatalf("crawled %s with %d platforms, pushed %s", im.Digest, len(im.Platforms), digest)
	}
	p := im.Platforms[0]
	if p.Config.User != b.cf.Config.User || strings.Join(p.Config.Entrypoint, " ") != "/regcat" {
		t.Errorf("crawled config %+v", p.Config)
	}
	// regcat lint's rules, on what regcat read, find nothing to complain
	// about: every recommended key present, none invalid.
	for _, f := range lint.Check(catalog.New(s, catalog.Config{}), lint.Options{Require: recommended}) {
		t.Errorf("regcat lint: %s %s: %s", f.Rule, f.Key, f.Message)
	}
	if !im.Created.Equal(b.cf.Created.Time) {
		t.Errorf("crawled created %s, built %s", im.Created, b.cf.Created.Time)
	}
}
