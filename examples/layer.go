package examples

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layer is a gzip-compressed tar layer held in memory with its digests
// computed once. It implements v1.Layer.
type layer struct {
	compressed []byte
	digest     v1.Hash
	diffID     v1.Hash
	mediaType  types.MediaType
}

// newLayer builds the layer named id for platform: a tar holding one file
// of about size bytes (see jitter) from a generator seeded with id and
// platform, stamped with
// mtime, gzipped without compression (the bytes would not compress anyway,
// and stored blocks keep the output identical across Go versions).
func newLayer(id, platform string, size int64, mtime time.Time, mt types.MediaType) (*layer, error) {
	seed := sha256.Sum256([]byte(id + "|" + platform))
	src := rand.NewChaCha8(seed)
	size = jitter(size, seed)

	var tarBuf bytes.Buffer
	tarBuf.Grow(int(size) + 4096)
	tw := tar.NewWriter(&tarBuf)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     "opt/" + strings.NewReplacer("/", "-", ":", "-").Replace(id) + "/data",
		Mode:     0o644,
		Size:     size,
		ModTime:  mtime.UTC().Truncate(time.Second),
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("layer %s: %w", id, err)
	}
	if _, err := io.CopyN(tw, src, size); err != nil {
		return nil, fmt.Errorf("layer %s: %w", id, err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer %s: %w", id, err)
	}

	var gzBuf bytes.Buffer
	gzBuf.Grow(tarBuf.Len() + tarBuf.Len()/8192 + 64)
	gz, err := gzip.NewWriterLevel(&gzBuf, gzip.NoCompression)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", id, err)
	}
	if _, err := gz.Write(tarBuf.Bytes()); err != nil {
		return nil, fmt.Errorf("layer %s: %w", id, err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("layer %s: %w", id, err)
	}
	return &layer{
		compressed: gzBuf.Bytes(),
		digest:     sha256Hash(gzBuf.Bytes()),
		diffID:     sha256Hash(tarBuf.Bytes()),
		mediaType:  mt,
	}, nil
}

// jitter varies size by up to ±5%, the same way for the same seed, so that
// successive versions of an image do not all have the same size.
func jitter(size int64, seed [32]byte) int64 {
	span := size / 10
	if span == 0 {
		return size
	}
	r := int64(binary.BigEndian.Uint64(seed[:8]) % uint64(span+1))
	return size - span/2 + r
}

// newBlobLayer is a layer whose blob is b itself (such as an in-toto
// statement of an attestation manifest).
func newBlobLayer(b []byte, mt types.MediaType) *layer {
	h := sha256Hash(b)
	return &layer{compressed: b, digest: h, diffID: h, mediaType: mt}
}

func sha256Hash(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sum[:])}
}

func (l *layer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *layer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *layer) Size() (int64, error)                { return int64(len(l.compressed)), nil }
func (l *layer) MediaType() (types.MediaType, error) { return l.mediaType, nil }

func (l *layer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}

// Uncompressed returns the tar stream; for a blob layer, the blob.
func (l *layer) Uncompressed() (io.ReadCloser, error) {
	if l.digest == l.diffID {
		return io.NopCloser(bytes.NewReader(l.compressed)), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(l.compressed))
	if err != nil {
		return nil, err
	}
	return zr, nil
}
