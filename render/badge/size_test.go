package badge

import (
	"math"
	"testing"
)

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{999, "999 B"},
		{1000, "1 kB"},
		{1024, "1.02 kB"},
		{1500, "1.5 kB"},
		{12_345, "12.3 kB"},
		{12_350, "12.4 kB"}, // half rounds up
		{999_499, "999 kB"},
		{999_500, "1 MB"}, // rounds to 1000 kB: next unit
		{9_995_000, "10 MB"},
		{48_234_567, "48.2 MB"},
		{123_456_789, "123 MB"},
		{1_000_000_000, "1 GB"},
		{5_368_709_120, "5.37 GB"},
		{math.MaxInt64, "9.22 EB"},
		{-1, "unknown"},
	}
	for _, tt := range tests {
		if got := HumanSize(tt.n); got != tt.want {
			t.Errorf("HumanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
