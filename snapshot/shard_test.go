package snapshot

import (
	"strings"
	"testing"
)

// TestShardOf checks the documented rule against values computed apart
// from this code (Python's hashlib: int.from_bytes(sha256(name)[:8],
// "big") % n + 1).
func TestShardOf(t *testing.T) {
	tests := []struct {
		name string
		want []int // for n = 1, 2, 3, 5, 7
	}{
		{"team-a/api", []int{1, 2, 3, 2, 7}},
		{"base/os", []int{1, 1, 3, 2, 4}},
		{"a/b/c/d", []int{1, 2, 3, 5, 6}},
	}
	for _, tt := range tests {
		for i, n := range []int{1, 2, 3, 5, 7} {
			if got := ShardOf(tt.name, n); got != tt.want[i] {
				t.Errorf("ShardOf(%q, %d) = %d, want %d", tt.name, n, got, tt.want[i])
			}
			s := Shard{Index: tt.want[i], Count: n}
			if !s.Contains(tt.name) {
				t.Errorf("%s does not contain %q", s, tt.name)
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	tests := []struct {
		in      string
		want    Shard
		errText string
	}{
		{"1/1", Shard{1, 1}, ""},
		{"3/5", Shard{3, 5}, ""},
		{"10000/10000", Shard{10000, 10000}, ""},
		{"0/5", Shard{}, "index must be 1 to 5"},
		{"6/5", Shard{}, "index must be 1 to 5"},
		{"1/0", Shard{}, "count must be 1"},
		{"1/10001", Shard{}, "count must be 1"},
		{"-1/5", Shard{}, "index must be"},
		{"2", Shard{}, "want K/N"},
		{"a/b", Shard{}, "want K/N"},
		{"1/2/3", Shard{}, "want K/N"},
		{"", Shard{}, "want K/N"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseShard(tt.in)
			if tt.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("ParseShard(%q) = %v, %v; want error with %q", tt.in, got, err, tt.errText)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.in {
				t.Fatalf("ParseShard(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}
