package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrSchemaVersion is wrapped by decode errors for a snapshot file written
// with a schema version this package does not read.
var ErrSchemaVersion = errors.New("unsupported snapshot schema version")

// MaxFileSize caps the size of one snapshot file when reading.
const MaxFileSize = 256 << 20

// Marshal encodes v (an [Index] or a [Repository]) deterministically: field
// order fixed by the types, map keys sorted, two-space indent, a trailing
// newline. Callers normalise with [Index.Normalize] or
// [Repository.Normalize] first so that lists are sorted too.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeIndex reads an index.json, rejecting unknown fields, trailing data,
// schema versions other than 1, 2 and [SchemaVersion], and files over
// [MaxFileSize]. A version 2 index has the current shape without
// [Index.Shard] (version 3 added it, the referrers in repository files and
// the change log beside them). A version 1 index is decoded strictly in its own shape
// and converted: its summaries' newestTag is dropped (summaries are
// derived again by the next crawl or render). A version 2 index is the
// current shape without shard. The returned index has the current shape,
// and SchemaVersion set to [SchemaVersion].
func DecodeIndex(r io.Reader) (*Index, error) {
	b, version, err := readVersioned(r)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	switch version {
	case SchemaVersion, 2:
		var idx Index
		if err := decodeStrict(bytes.NewReader(b), &idx); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		if version == 2 && idx.Shard != nil {
			return nil, errors.New(`index: decode: json: unknown field "shard" (schema version 2)`)
		}
		idx.SchemaVersion = SchemaVersion
		return &idx, nil
	case 1:
		var v1 indexV1
		if err := decodeStrict(bytes.NewReader(b), &v1); err != nil {
			return nil, fmt.Errorf("index (schema version 1): %w", err)
		}
		return v1.convert(), nil
	}
	return nil, fmt.Errorf("index: %w %d (want 1 to %d)", ErrSchemaVersion, version, SchemaVersion)
}

// DecodeRepository reads a repository file, with the checks of
// [DecodeIndex], and validates the repository name. A repository file of
// version 1 or 2 is the current shape without the fields later versions
// added (all optional), so it is decoded as one. The returned repository has
// SchemaVersion set to [SchemaVersion].
//
// Every version it reads has one shape, so the file is decoded once, in
// it, and the version checked after: a render reads each repository file
// twice, and decoding is most of reading.
func DecodeRepository(r io.Reader) (*Repository, error) {
	buf := repoBufs.Get().(*bytes.Buffer)
	defer putRepoBuf(buf)
	b, err := readInto(buf, r)
	if err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	var repo Repository
	if err := decodeStrict(bytes.NewReader(b), &repo); err != nil {
		// A file of a later version fails in this shape: say so.
		if v, perr := probeVersion(b); perr == nil && (v < 1 || v > SchemaVersion) {
			return nil, fmt.Errorf("repository: %w %d (want 1 to %d)", ErrSchemaVersion, v, SchemaVersion)
		}
		return nil, fmt.Errorf("repository: %w", err)
	}
	if version := repo.SchemaVersion; version < 1 || version > SchemaVersion {
		return nil, fmt.Errorf("repository %q: %w %d (want 1 to %d)", repo.Name, ErrSchemaVersion, version, SchemaVersion)
	}
	repo.SchemaVersion = SchemaVersion
	if err := ValidateRepoName(repo.Name); err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	return &repo, nil
}

// readVersioned reads a whole snapshot file of at most [MaxFileSize]
// bytes and the schemaVersion it declares (0 when it has none), so that
// the file can then be decoded strictly in the shape of that version.
func readVersioned(r io.Reader) ([]byte, int, error) {
	b, err := readFile(r)
	if err != nil {
		return nil, 0, err
	}
	v, err := probeVersion(b)
	return b, v, err
}

// readFile reads a whole snapshot file of at most [MaxFileSize] bytes.
func readFile(r io.Reader) ([]byte, error) {
	return readInto(new(bytes.Buffer), r)
}

// readInto is readFile into buf, emptied first; the bytes it returns are
// buf's.
func readInto(buf *bytes.Buffer, r io.Reader) ([]byte, error) {
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxFileSize+1)); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if buf.Len() > MaxFileSize {
		return nil, fmt.Errorf("file is over %d bytes", MaxFileSize)
	}
	return buf.Bytes(), nil
}

// repoBufs holds the buffers DecodeRepository reads a file into: the
// decoded repository copies what it keeps, and a render reads every
// repository file of the snapshot twice.
var repoBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putRepoBuf returns buf to repoBufs unless it grew past 4 MiB, which few
// files need and the pool should not keep.
func putRepoBuf(buf *bytes.Buffer) {
	if buf.Cap() <= 4<<20 {
		repoBufs.Put(buf)
	}
}

// probeVersion is the schemaVersion the JSON object b declares, 0 when
// it has none.
func probeVersion(b []byte) (int, error) {
	var probe struct {
		SchemaVersion int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return 0, fmt.Errorf("decode: %w", err)
	}
	return probe.SchemaVersion, nil
}

// indexV1 is the index of schema version 1, frozen as it was: do not
// change it (nor repoSummaryV1) when the current types change.
type indexV1 struct {
	SchemaVersion int             `json:"schemaVersion"`
	Registry      string          `json:"registry"`
	CrawledAt     time.Time       `json:"crawledAt"`
	Repositories  []repoSummaryV1 `json:"repositories"`
	Failures      []Failure       `json:"failures,omitempty"`
	Skipped       []Skipped       `json:"skipped,omitempty"`
}

// repoSummaryV1 is the index entry of schema version 1.
type repoSummaryV1 struct {
	Name        string    `json:"name"`
	Path        string    `json:"path"`
	Tags        int       `json:"tags"`
	Images      int       `json:"images"`
	NewestTag   string    `json:"newestTag,omitempty"`
	LastCreated time.Time `json:"lastCreated,omitzero"`
	Size        int64     `json:"size,omitempty"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Failures    int       `json:"failures,omitempty"`
}

// convert returns the index in the current shape. NewestTag is dropped:
// the summaries' representative tag follows another rule since version 2
// and is derived again from the repositories.
func (v1 *indexV1) convert() *Index {
	idx := &Index{
		SchemaVersion: SchemaVersion,
		Registry:      v1.Registry,
		CrawledAt:     v1.CrawledAt,
		Repositories:  make([]RepoSummary, 0, len(v1.Repositories)),
		Failures:      v1.Failures,
		Skipped:       v1.Skipped,
	}
	for _, s := range v1.Repositories {
		idx.Repositories = append(idx.Repositories, RepoSummary{
			Name:        s.Name,
			Path:        s.Path,
			Tags:        s.Tags,
			Images:      s.Images,
			LastCreated: s.LastCreated,
			Size:        s.Size,
			Title:       s.Title,
			Description: s.Description,
			Failures:    s.Failures,
		})
	}
	return idx
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("decode: trailing data after the JSON value")
	}
	return nil
}
