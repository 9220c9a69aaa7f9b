// Package image builds regcat's own container image without a Docker
// daemon: a static regcat binary cross-compiled with the go command, put in
// one layer with a minimal root filesystem (a non-root user 65532, /tmp,
// the build machine's CA certificates), with full OCI labels and
// annotations, as go-containerregistry values. Same source tree, same
// metadata and same CA file, same image digest.
//
// internal/cmd/buildimage drives it; its test builds and checks the image
// in CI.
package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/regcat/regcat/snapshot"
)

// What the image says about itself: its labels and annotations.
const (
	Title         = "regcat"
	Description   = "Static catalog sites and badges for container registries"
	Source        = "https://github.com/regcat/regcat"
	URL           = Source
	Documentation = Source + "/blob/main/README.md"
	Vendor        = "regcat"
	// DefaultLicenses is the SPDX expression of the licenses label. The
	// repository has no LICENSE file yet: this is the project's decision to
	// confirm (see README, "Container image").
	DefaultLicenses = "Apache-2.0"
	// Repository is where the image is published; the tarball's tag is
	// Repository:<version>.
	Repository = "ghcr.io/regcat/regcat"
	// DefaultCACerts is the CA bundle copied into the image when it exists
	// on the build machine (Debian's and Alpine's path; Go's crypto/x509
	// reads it there).
	DefaultCACerts = "/etc/ssl/certs/ca-certificates.crt"
)

// The image's user, as distroless names it, and the paths it uses.
const (
	UID        = 65532
	User       = "65532:65532"
	Entrypoint = "/regcat"
	WorkingDir = "/data"
	home       = "/home/nonroot"
)

// Config says what to build. Zero values mean the documented defaults.
type Config struct {
	// Dir is the root of the regcat module to build; "" means the current
	// directory.
	Dir string
	// Arch is the GOARCH of the linux image; "" means runtime.GOARCH.
	Arch string
	// Version is the version label and what regcat --version prints; ""
	// means the tag at HEAD, else a Go pseudo-version of HEAD
	// (v0.0.0-yyyymmddhhmmss-abcdefabcdef), with "+dirty" when the work
	// tree has changes.
	Version string
	// Revision is the commit, as full hex; "" means git rev-parse HEAD.
	Revision string
	// Created is the image's creation time (config, labels, file times);
	// zero means $SOURCE_DATE_EPOCH when set, else HEAD's commit time, so
	// that the same commit gives the same image.
	Created time.Time
	// Licenses is the SPDX license expression; "" means DefaultLicenses.
	Licenses string
	// CACerts is a CA bundle to put at DefaultCACerts in the image; ""
	// means DefaultCACerts of the build machine when it exists, else none.
	CACerts string
}

// Meta is the resolved metadata of a build.
type Meta struct {
	Version, Revision, Licenses string
	Arch                        string
	Created                     time.Time
}

// Build compiles regcat and returns its image and the metadata it carries.
func Build(ctx context.Context, cfg Config) (v1.Image, Meta, error) {
	meta, err := resolve(ctx, cfg)
	if err != nil {
		return nil, meta, err
	}
	tmp, err := os.MkdirTemp("", "regcat-image-")
	if err != nil {
		return nil, meta, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "regcat")
	if err := compile(ctx, cfg.Dir, meta, bin); err != nil {
		return nil, meta, err
	}
	files, err := rootfs(bin, cfg.CACerts)
	if err != nil {
		return nil, meta, err
	}
	layer, err := tarLayer(files, meta.Created)
	if err != nil {
		return nil, meta, err
	}
	img, err := assemble(layer, meta)
	return img, meta, err
}

// Tag is the reference the tarball records for meta: Repository:<version>,
// with characters a tag may not hold ("+") written "-".
func Tag(meta Meta) string {
	return Repository + ":" + strings.ReplaceAll(meta.Version, "+", "-")
}

// Labels returns the image's OCI labels, which are also its manifest
// annotations.
func Labels(meta Meta) map[string]string {
	return map[string]string{
		snapshot.KeyTitle:         Title,
		snapshot.KeyDescription:   Description,
		snapshot.KeySource:        Source,
		snapshot.KeyURL:           URL,
		snapshot.KeyDocumentation: Documentation,
		snapshot.KeyVendor:        Vendor,
		snapshot.KeyLicenses:      meta.Licenses,
		snapshot.KeyVersion:       meta.Version,
		snapshot.KeyRevision:      meta.Revision,
		snapshot.KeyCreated:       meta.Created.Format(time.RFC3339),
	}
}

// resolve fills in the defaults of cfg, asking git for what it must.
func resolve(ctx context.Context, cfg Config) (Meta, error) {
	m := Meta{Version: cfg.Version, Revision: cfg.Revision, Licenses: cfg.Licenses, Arch: cfg.Arch, Created: cfg.Created}
	if m.Arch == "" {
		m.Arch = runtime.GOARCH
	}
	if m.Licenses == "" {
		m.Licenses = DefaultLicenses
	}
	var err error
	if m.Revision == "" {
		if m.Revision, err = git(ctx, cfg.Dir, "rev-parse", "HEAD"); err != nil {
			return m, err
		}
	}
	var commitTime time.Time
	if m.Created.IsZero() || m.Version == "" {
		ct, err := git(ctx, cfg.Dir, "log", "-1", "--format=%ct", m.Revision)
		if err != nil {
			return m, err
		}
		sec, err := strconv.ParseInt(ct, 10, 64)
		if err != nil {
			return m, fmt.Errorf("commit time %q: %w", ct, err)
		}
		commitTime = time.Unix(sec, 0).UTC()
	}
	if m.Created.IsZero() {
		m.Created = commitTime
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			sec, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return m, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
			}
			m.Created = time.Unix(sec, 0).UTC()
		}
	}
	m.Created = m.Created.UTC().Truncate(time.Second)
	if m.Version == "" {
		if m.Version, err = version(ctx, cfg.Dir, m.Revision, commitTime); err != nil {
			return m, err
		}
	}
	return m, nil
}

// version is the tag at rev, else rev's Go pseudo-version, with +dirty
// when the work tree has changes.
func version(ctx context.Context, dir, rev string, commitTime time.Time) (string, error) {
	v, err := git(ctx, dir, "describe", "--tags", "--exact-match", rev)
	if err != nil {
		v = fmt.Sprintf("v0.0.0-%s-%.12s", commitTime.Format("20060102150405"), rev)
	}
	status, err := git(ctx, dir, "status", "--porcelain")
	if err != nil {
		return "", err
	}
	if status != "" {
		v += "+dirty"
	}
	return v, nil
}

// git runs git in dir and returns its trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// compile builds a static regcat for linux/meta.Arch into out.
func compile(ctx context.Context, dir string, meta Meta, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
		"-ldflags=-s -w -X main.version="+meta.Version, "-o", out, "./cmd/regcat")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+meta.Arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, b)
	}
	return nil
}

// file is one entry of the root filesystem.
type file struct {
	name     string // without a leading slash
	dir      bool
	mode     int64
	uid      int
	contents []byte
}

// rootfs returns the image's files: the binary at /regcat, a passwd and
// group with root and nonroot, nonroot's home and the working directory,
// /tmp, and the CA bundle.
func rootfs(bin, caFile string) ([]file, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	files := []file{
		{name: "regcat", mode: 0o755, contents: b},
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/passwd", mode: 0o644, contents: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:" + home + ":/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, contents: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "home", dir: true, mode: 0o755},
		{name: strings.TrimPrefix(home, "/"), dir: true, mode: 0o700, uid: UID},
		{name: strings.TrimPrefix(WorkingDir, "/"), dir: true, mode: 0o755, uid: UID},
		{name: "tmp", dir: true, mode: 0o1777},
	}
	explicit := caFile != ""
	if !explicit {
		caFile = DefaultCACerts
	}
	ca, err := os.ReadFile(caFile)
	switch {
	case err == nil:
		files = append(files,
			file{name: "etc/ssl", dir: true, mode: 0o755},
			file{name: "etc/ssl/certs", dir: true, mode: 0o755},
			file{name: strings.TrimPrefix(DefaultCACerts, "/"), mode: 0o644, contents: ca})
	case explicit || !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("CA certificates: %w", err)
	}
	return files, nil
}

// tarLayer writes files, sorted by name, into a gzipped OCI layer whose
// entries all have the time mtime and no user or group names.
func tarLayer(files []file, mtime time.Time) (v1.Layer, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Uid: f.uid, Gid: f.uid, ModTime: mtime, Format: tar.FormatPAX, Typeflag: tar.TypeReg, Size: int64(len(f.contents))}
		if f.dir {
			hdr.Name += "/"
			hdr.Typeflag = tar.TypeDir
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("layer %s: %w", f.name, err)
		}
		if _, err := tw.Write(f.contents); err != nil {
			return nil, fmt.Errorf("layer %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// assemble makes the OCI image of layer: its config (entrypoint, user,
// working directory, environment, labels, history) and its manifest
// annotations.
func assemble(layer v1.Layer, meta Meta) (v1.Image, error) {
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: meta.Created},
			CreatedBy: "go run ./internal/cmd/buildimage",
			Comment:   "regcat " + meta.Version,
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture = meta.Arch
	cf.OS = "linux"
	cf.Created = v1.Time{Time: meta.Created}
	cf.Author = Vendor
	cf.Config = v1.Config{
		Entrypoint: []string{Entrypoint},
		User:       User,
		WorkingDir: WorkingDir,
		Env:        []string{"PATH=/", "HOME=" + home},
		Labels:     Labels(meta),
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, err
	}
	return mutate.Annotations(img, Labels(meta)).(v1.Image), nil
}

// WriteArchive writes img to path as an OCI image layout in a tar archive
// (what docker load and podman load take, skopeo's oci-archive:, and
// crane push after untarring), named ref: index.json's entry carries
// org.opencontainers.image.ref.name (the tag) and io.containerd.image.name
// (the whole reference, which docker load tags the image with). The
// archive's entries are sorted, with fixed times, so the same image gives
// the same bytes. The file is written beside path and renamed over it.
func WriteArchive(path string, img v1.Image, ref name.Tag) error {
	dir, err := os.MkdirTemp("", "regcat-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	anns := map[string]string{snapshot.KeyRefName: ref.TagStr(), "io.containerd.image.name": ref.String()}
	if err := lp.AppendImage(img, layout.WithAnnotations(anns)); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tarDir(tmp, dir); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// tarDir writes the regular files and directories under dir to w as a tar
// archive, in lexical order, with zero times and no owners.
func tarDir(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatPAX, Typeflag: tar.TypeReg}
		if d.IsDir() {
			hdr.Name += "/"
			hdr.Mode = 0o755
			hdr.Typeflag = tar.TypeDir
			return tw.WriteHeader(hdr)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		hdr.Size = int64(len(data))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
