package snapshot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrShards is wrapped by the errors of [Merge], [ReadMerged] and
// [MergeDirs] about the set of shards given: not shards, overlapping or
// missing shards, mixed registries, shard counts or schema versions.
// Nothing is written then.
var ErrShards = errors.New("shards do not make one snapshot")

// Part is one shard's snapshot, named by where it came from for errors.
type Part struct {
	// Name is where the part was read, for example its directory.
	Name string
	// Snapshot is the shard's snapshot; its Index.Shard must be set.
	Snapshot *Snapshot
}

// Merge joins the snapshots of every shard of one crawl (shards 1 to N of
// N, each exactly once, of one registry) into one snapshot, as one
// unsharded crawl of the same registry state would have produced it: the
// same repository files byte for byte, the same index except crawledAt,
// which is the earliest shard's. The index's failures and skipped names
// are the union of the shards' (each shard lists the catalog, so a
// catalog failure is recorded by every shard and kept once); a catalog
// truncation is kept from the shard that listed the most names. Every
// repository must fall in the shard that holds it. The errors about the
// set of parts wrap [ErrShards].
func Merge(parts []Part) (*Snapshot, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no shards given", ErrShards)
	}
	if err := checkParts(parts); err != nil {
		return nil, err
	}
	idx := Index{Registry: parts[0].Snapshot.Index.Registry, CrawledAt: parts[0].Snapshot.Index.CrawledAt}
	var repos []Repository
	for _, p := range parts {
		x := &p.Snapshot.Index
		if x.CrawledAt.Before(idx.CrawledAt) {
			idx.CrawledAt = x.CrawledAt
		}
		idx.Failures = append(idx.Failures, x.Failures...)
		idx.Skipped = append(idx.Skipped, x.Skipped...)
		if t := x.Truncated; t != nil && (idx.Truncated == nil || t.Listed > idx.Truncated.Listed) {
			idx.Truncated = t
		}
		repos = append(repos, p.Snapshot.Repositories...)
	}
	SortFailures(idx.Failures)
	idx.Failures = slices.Compact(idx.Failures)
	sortSkipped(idx.Skipped)
	idx.Skipped = slices.Compact(idx.Skipped)
	return Build(idx, repos)
}

// checkParts reports why parts are not the shards of one crawl.
func checkParts(parts []Part) error {
	first := parts[0]
	for _, p := range parts {
		x := &p.Snapshot.Index
		if x.Shard == nil {
			return fmt.Errorf("%w: %s is not a shard (its index has no shard; crawl with --shard)", ErrShards, p.Name)
		}
		f := &first.Snapshot.Index
		if x.Registry != f.Registry {
			return fmt.Errorf("%w: mixed registries: %s is of %s, %s of %s", ErrShards, first.Name, f.Registry, p.Name, x.Registry)
		}
		if x.Shard.Count != f.Shard.Count {
			return fmt.Errorf("%w: mixed shard counts: %s is shard %s, %s shard %s", ErrShards, first.Name, f.Shard, p.Name, x.Shard)
		}
	}
	n := first.Snapshot.Index.Shard.Count
	byIndex := make([]string, n+1)
	for _, p := range parts {
		s := *p.Snapshot.Index.Shard
		if prev := byIndex[s.Index]; prev != "" {
			return fmt.Errorf("%w: overlapping shards: %s and %s are both shard %s", ErrShards, prev, p.Name, s)
		}
		byIndex[s.Index] = p.Name
		for _, r := range p.Snapshot.Repositories {
			if !s.Contains(r.Name) {
				return fmt.Errorf("%w: overlapping shards: %s (shard %s) holds repository %s, which falls in shard %d/%d",
					ErrShards, p.Name, s, r.Name, ShardOf(r.Name, n), n)
			}
		}
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if byIndex[k] == "" {
			missing = append(missing, Shard{Index: k, Count: n}.String())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing shards: %s", ErrShards, strings.Join(missing, ", "))
	}
	return nil
}

// MergeDirs reads the shard snapshots in dirs, merges them with
// [ReadMerged] and writes the result to out with [Write] (atomically; out
// may be missing, empty or hold a snapshot). The merged snapshot is
// returned.
func MergeDirs(ctx context.Context, out string, dirs []string) (*Snapshot, error) {
	if err := CheckDir(out); err != nil {
		return nil, err
	}
	merged, err := ReadMerged(ctx, dirs)
	if err != nil {
		return nil, err
	}
	if err := Write(ctx, out, merged); err != nil {
		return nil, err
	}
	return merged, nil
}

// ReadMerged reads the shard snapshots in dirs and merges them with
// [Merge], writing nothing. Shards whose index.json declares different
// schema versions are refused (wrapping [ErrShards]) before anything is
// merged, as are shards of a version before sharding existed.
func ReadMerged(ctx context.Context, dirs []string) (*Snapshot, error) {
	if err := checkVersions(dirs); err != nil {
		return nil, err
	}
	parts := make([]Part, 0, len(dirs))
	for _, d := range dirs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := Read(d)
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{Name: d, Snapshot: s})
	}
	slices.SortFunc(parts, func(a, b Part) int { return cmp.Compare(a.Name, b.Name) })
	return Merge(parts)
}

// checkVersions refuses shards whose index files declare different schema
// versions, or a version without shards.
func checkVersions(dirs []string) error {
	versions := make([]int, len(dirs))
	for i, d := range dirs {
		f, err := os.Open(filepath.Join(d, IndexFile))
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		_, v, err := readVersioned(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("snapshot %s: index: %w", d, err)
		}
		versions[i] = v
		if v != versions[0] {
			return fmt.Errorf("%w: mixed schema versions: %s has %d, %s has %d", ErrShards, dirs[0], versions[0], d, v)
		}
	}
	if len(dirs) > 0 && versions[0] < 3 {
		return fmt.Errorf("%w: %s has schema version %d, which has no shards (crawl the shards with this regcat)", ErrShards, dirs[0], versions[0])
	}
	return nil
}
