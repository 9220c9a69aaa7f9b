package main

import "testing"

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 failures"}, {1, "1 failure"}, {2, "2 failures"}} {
		if got := count(tt.n, "failure", "failures"); got != tt.want {
			t.Errorf("count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
