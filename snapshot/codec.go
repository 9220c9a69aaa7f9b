package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// other schema versions and files over [MaxFileSize].
func DecodeIndex(r io.Reader) (*Index, error) {
	var idx Index
	if err := decodeStrict(r, &idx); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	if idx.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("index: %w %d (want %d)", ErrSchemaVersion, idx.SchemaVersion, SchemaVersion)
	}
	return &idx, nil
}

// DecodeRepository reads a repository file, with the checks of
// [DecodeIndex], and validates the repository name.
func DecodeRepository(r io.Reader) (*Repository, error) {
	var repo Repository
	if err := decodeStrict(r, &repo); err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	if repo.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("repository %q: %w %d (want %d)", repo.Name, ErrSchemaVersion, repo.SchemaVersion, SchemaVersion)
	}
	if err := ValidateRepoName(repo.Name); err != nil {
		return nil, fmt.Errorf("repository: %w", err)
	}
	return &repo, nil
}

func decodeStrict(r io.Reader, v any) error {
	lr := &io.LimitedReader{R: r, N: MaxFileSize + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if lr.N <= 0 {
			return fmt.Errorf("file is over %d bytes", MaxFileSize)
		}
		return fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("decode: trailing data after the JSON value")
	}
	return nil
}
