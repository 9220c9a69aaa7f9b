package snapshot

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxShards caps the number of shards a crawl may be split into.
const MaxShards = 10000

// Shard names one part of a crawl split into Count parts: the repositories
// whose name falls in shard Index (see [ShardOf]). Index is 1-based.
type Shard struct {
	// Index is the shard's number, from 1 to Count.
	Index int `json:"index"`
	// Count is the number of shards the crawl is split into.
	Count int `json:"count"`
}

// ShardOf returns the shard (1 to n) that the repository name falls in:
// the first 8 bytes of the SHA-256 of the name, read as a big-endian
// unsigned integer, modulo n, plus 1. It depends on the name alone, never
// on catalog order, so every shard of every crawl agrees. n must be
// positive.
func ShardOf(name string, n int) int {
	sum := sha256.Sum256([]byte(name))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(n)) + 1
}

// Contains reports whether the repository name falls in s.
func (s Shard) Contains(name string) bool { return ShardOf(name, s.Count) == s.Index }

// String is s as K/N, the form [ParseShard] reads.
func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// Validate reports a shard outside 1 ≤ Index ≤ Count ≤ [MaxShards].
func (s Shard) Validate() error {
	if s.Count < 1 || s.Count > MaxShards {
		return fmt.Errorf("shard %s: count must be 1 to %d", s, MaxShards)
	}
	if s.Index < 1 || s.Index > s.Count {
		return fmt.Errorf("shard %s: index must be 1 to %d", s, s.Count)
	}
	return nil
}

// ParseShard reads K/N (both decimal, 1 ≤ K ≤ N ≤ [MaxShards]).
func ParseShard(v string) (Shard, error) {
	k, n, ok := strings.Cut(v, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N, for example 2/5", v)
	}
	var s Shard
	var err1, err2 error
	s.Index, err1 = strconv.Atoi(k)
	s.Count, err2 = strconv.Atoi(n)
	if err := errors.Join(err1, err2); err != nil {
		return Shard{}, fmt.Errorf("shard %q: want K/N, for example 2/5", v)
	}
	return s, s.Validate()
}
