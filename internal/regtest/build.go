package regtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// file is one regular file in a fixture layer.
type file struct {
	name, body string
}

// tarEpoch is the modification time of every file in every fixture layer.
var tarEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// gzipTar returns the same gzip'd tar bytes for the same files on every run:
// plainTar's, at the best compression.
func gzipTar(files ...file) []byte {
	var gb bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&gb, gzip.BestCompression)
	_, _ = gw.Write(plainTar(files...))
	_ = gw.Close()
	return gb.Bytes()
}

// plainTar returns the same tar bytes for the same files on every run:
// fixed times, owners and modes, files in the given order, PAX-free USTAR.
func plainTar(files ...file) []byte {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, f := range files {
		// Writes to a bytes.Buffer cannot fail.
		_ = tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.name,
			Mode:     0o644,
			Size:     int64(len(f.body)),
			ModTime:  tarEpoch,
			Format:   tar.FormatUSTAR,
		})
		_, _ = tw.Write([]byte(f.body))
	}
	_ = tw.Close()
	return tb.Bytes()
}

// builder builds fixture images and keeps the first error, so that fixture
// code reads as a description.
type builder struct {
	err error
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// layer returns a gzip'd tar layer of media type mt. The same files give
// the same digest whatever mt, as when a build converts Docker layers to OCI.
func (b *builder) layer(mt types.MediaType, files ...file) v1.Layer {
	gz := gzipTar(files...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(mt))
	if err != nil {
		b.fail(err)
		return static.NewLayer(gz, mt)
	}
	return l
}

// imageSpec describes one single-platform image.
type imageSpec struct {
	docker   bool // Docker schema 2 media types instead of OCI
	platform v1.Platform
	created  time.Time // zero: no created field, as in attestations
	author   string
	config   v1.Config
	layers   []v1.Layer
	// layerAnnotations are the layer descriptors' annotations, by index.
	layerAnnotations map[int]map[string]string
	history          []v1.History
	annotations      map[string]string // manifest annotations (OCI only)
}

func (b *builder) image(s imageSpec) v1.Image {
	if b.err != nil {
		return empty.Image
	}
	img := empty.Image
	if !s.docker {
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	}
	adds := make([]mutate.Addendum, len(s.layers))
	diffIDs := make([]v1.Hash, len(s.layers))
	for i, l := range s.layers {
		adds[i] = mutate.Addendum{Layer: l, Annotations: s.layerAnnotations[i]}
		d, err := l.DiffID()
		if err != nil {
			b.fail(err)
			return empty.Image
		}
		diffIDs[i] = d
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		b.fail(err)
		return empty.Image
	}
	cf := &v1.ConfigFile{
		Architecture: s.platform.Architecture,
		OS:           s.platform.OS,
		Variant:      s.platform.Variant,
		Author:       s.author,
		Config:       s.config,
		History:      s.history,
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: diffIDs},
	}
	if !s.created.IsZero() {
		cf.Created = v1.Time{Time: s.created}
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		b.fail(err)
		return empty.Image
	}
	if len(s.annotations) > 0 {
		img = mutate.Annotations(img, s.annotations).(v1.Image)
	}
	return img
}

// entry is one manifest of an index.
type entry struct {
	image       v1.Image
	platform    v1.Platform
	annotations map[string]string
}

func (b *builder) index(mt types.MediaType, annotations map[string]string, entries ...entry) v1.ImageIndex {
	idx := mutate.IndexMediaType(empty.Index, mt)
	adds := make([]mutate.IndexAddendum, len(entries))
	for i, e := range entries {
		p := e.platform
		adds[i] = mutate.IndexAddendum{Add: e.image, Descriptor: v1.Descriptor{Platform: &p, Annotations: e.annotations}}
	}
	idx = mutate.AppendManifests(idx, adds...)
	if len(annotations) > 0 {
		idx = mutate.Annotations(idx, annotations).(v1.ImageIndex)
	}
	return idx
}

// tag describes what a tag points to, with its digest and media type.
func (b *builder) tag(name string, item partial.Describable) Tag {
	t := Tag{Name: name}
	switch it := item.(type) {
	case v1.Image:
		t.Image = it
	case v1.ImageIndex:
		t.Index = it
	}
	d, err := item.Digest()
	if err != nil {
		b.fail(err)
	}
	mt, err := item.MediaType()
	if err != nil {
		b.fail(err)
	}
	t.Digest, t.MediaType = d, mt
	return t
}

// raw describes a tag that points to a manifest pushed as bytes.
func (b *builder) raw(name string, mt types.MediaType, manifest []byte, blobs ...v1.Layer) Tag {
	d, _, err := v1.SHA256(bytes.NewReader(manifest))
	if err != nil {
		b.fail(err)
	}
	return Tag{
		Name:      name,
		Raw:       &RawManifest{MediaType: mt, Manifest: manifest, Blobs: blobs},
		Digest:    d,
		MediaType: mt,
	}
}

func (b *builder) digest(item partial.Describable) v1.Hash {
	d, err := item.Digest()
	if err != nil {
		b.fail(err)
	}
	return d
}

func (b *builder) descriptor(item partial.Describable) v1.Descriptor {
	d, err := partial.Descriptor(item)
	if err != nil {
		b.fail(err)
		return v1.Descriptor{}
	}
	return *d
}
