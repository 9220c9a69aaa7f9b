package changes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// Dir is the change log's directory in a snapshot directory.
const Dir = "changes"

// DefaultHistory is how many runs' change sets a [Log] keeps when the
// caller does not say.
const DefaultHistory = 100

// MaxHistory caps how many change-log files [ReadLog] reads.
const MaxHistory = 10000

// nameLayout is the crawl time in a change-log file name: fixed width,
// so that names sort by time, and without colons, which some file
// systems forbid.
const nameLayout = "20060102T150405.000000000Z"

// FileName returns the change-log file name of a set crawled at t, for
// example "20261201T231800.000000000Z.json". Names sort by time.
func FileName(t time.Time) string {
	return t.UTC().Format(nameLayout) + ".json"
}

// file is the content of one change-log file: a Set and the schema
// version of the snapshot it was written with.
type file struct {
	SchemaVersion int `json:"schemaVersion"`
	Set
}

// Marshal encodes s deterministically, as [snapshot.Marshal] does: fixed
// field order, two-space indent, a trailing newline.
func (s *Set) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	v := *s
	v.Repositories = nonNil(v.Repositories)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode change set: %w", err)
	}
	return buf.Bytes(), nil
}

// encodeFile is the change-log file of s.
func encodeFile(s *Set) ([]byte, error) {
	v := file{SchemaVersion: snapshot.SchemaVersion, Set: *s}
	v.Repositories = nonNil(v.Repositories)
	b, err := snapshot.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("change log: %w", err)
	}
	return b, nil
}

// decodeFile reads one change-log file of at most [snapshot.MaxFileSize]
// bytes, rejecting unknown fields, trailing data and other schema
// versions than [snapshot.SchemaVersion].
func decodeFile(r io.Reader) (*Set, error) {
	b, err := io.ReadAll(io.LimitReader(r, snapshot.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(b) > snapshot.MaxFileSize {
		return nil, fmt.Errorf("file is over %d bytes", snapshot.MaxFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode: trailing data after the JSON value")
	}
	if f.SchemaVersion != snapshot.SchemaVersion {
		return nil, fmt.Errorf("%w %d (want %d)", snapshot.ErrSchemaVersion, f.SchemaVersion, snapshot.SchemaVersion)
	}
	return &f.Set, nil
}

// Log is the change history of a snapshot directory: change sets oldest
// first, none of them empty.
type Log struct {
	Sets []*Set
}

// ReadLog reads the change log of the snapshot directory dir. A missing
// dir or change-log directory is an empty log (a snapshot written before there
// was history). Only regular files named by [FileName] are read, at most
// the newest [MaxHistory]; anything else in the directory is an error.
func ReadLog(dir string) (*Log, error) {
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &Log{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("change log: %w", err)
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &Log{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("change log: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.Type().IsRegular() || !validName(e.Name()) {
			return nil, fmt.Errorf("change log: unexpected entry %s/%s", Dir, e.Name())
		}
		names = append(names, e.Name())
	}
	slices.Sort(names)
	names = names[max(0, len(names)-MaxHistory):]
	log := &Log{Sets: make([]*Set, 0, len(names))}
	for _, name := range names {
		s, err := readFile(root, path.Join(Dir, name))
		if err != nil {
			return nil, fmt.Errorf("change log %s: %w", name, err)
		}
		log.Sets = append(log.Sets, s)
	}
	return log, nil
}

func readFile(root *os.Root, name string) (*Set, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := decodeFile(f)
	if err != nil {
		return nil, err
	}
	if FileName(s.CrawledAt) != path.Base(name) {
		return nil, fmt.Errorf("crawledAt %s does not match the file name", s.CrawledAt.Format(time.RFC3339Nano))
	}
	return s, nil
}

func validName(name string) bool {
	stem, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return false
	}
	t, err := time.Parse(nameLayout, stem)
	return err == nil && FileName(t) == name
}

// Add appends s to the log unless it is empty, then keeps only the newest
// keep sets (keep <= 0 means [DefaultHistory]). A set crawled at the same
// time as the newest one replaces it; one crawled earlier is an error, as
// the log is append-only.
func (l *Log) Add(s *Set, keep int) error {
	if keep <= 0 {
		keep = DefaultHistory
	}
	if !s.Empty() {
		if n := len(l.Sets); n > 0 {
			last := l.Sets[n-1].CrawledAt
			switch {
			case s.CrawledAt.Before(last):
				return fmt.Errorf("change log: crawl time %s is before the newest entry's %s", s.CrawledAt.Format(time.RFC3339), last.Format(time.RFC3339))
			case s.CrawledAt.Equal(last):
				l.Sets = l.Sets[:n-1]
			}
		}
		l.Sets = append(l.Sets, s)
	}
	l.Sets = l.Sets[max(0, len(l.Sets)-keep):]
	return nil
}

// Files returns the log's files as a map from slash-separated path,
// relative to the snapshot directory, to content, for
// snapshot.Writer.Commit or snapshot.WriteWith.
func (l *Log) Files() (map[string][]byte, error) {
	files := make(map[string][]byte, len(l.Sets))
	for _, s := range l.Sets {
		b, err := encodeFile(s)
		if err != nil {
			return nil, err
		}
		files[path.Join(Dir, FileName(s.CrawledAt))] = b
	}
	return files, nil
}

// Newest returns the log's sets newest first.
func (l *Log) Newest() []*Set {
	out := slices.Clone(l.Sets)
	slices.Reverse(out)
	return out
}

func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
