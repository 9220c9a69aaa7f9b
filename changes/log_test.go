package changes

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/regcat/regcat/snapshot"
)

func TestFileNameSortsByTime(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 10, 0, 0, 5, time.UTC),
		time.Date(2026, 12, 1, 10, 0, 0, 40, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)),
	}
	var names []string
	for _, tm := range times {
		names = append(names, FileName(tm))
		if !validName(FileName(tm)) {
			t.Errorf("FileName(%s) = %s is not a valid name", tm, FileName(tm))
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("names not in time order: %v", names)
	}
	if got := FileName(times[0]); got != "20261201T090000.000000000Z.json" {
		t.Errorf("FileName = %s", got)
	}
	for _, bad := range []string{"x.json", "20261201T090000Z.json", "20261201T090000.000000000Z.txt", "../20261201T090000.000000000Z.json"} {
		if validName(bad) {
			t.Errorf("validName(%q) = true", bad)
		}
	}
}

// set is a non-empty change set crawled at at.
func set(at time.Time) *Set {
	return &Set{Registry: "r", Since: at.Add(-time.Hour), CrawledAt: at,
		Repositories: []Repo{{Name: "app", Status: Changed, NewTags: []Tag{{"v1", dA}}, NewImages: []string{dA}}}}
}

func TestLogAddPrunes(t *testing.T) {
	tests := []struct {
		name  string
		adds  int
		keep  int
		empty bool
		want  int // sets kept
	}{
		{"under the bound", 3, 5, false, 3},
		{"at the bound", 5, 5, false, 5},
		{"over the bound keeps the newest", 8, 5, false, 5},
		{"default bound", DefaultHistory + 7, 0, false, DefaultHistory},
		{"empty sets append nothing", 4, 5, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l Log
			for i := range tt.adds {
				s := set(t0.Add(time.Duration(i) * time.Hour))
				if tt.empty {
					s.Repositories = nil
				}
				if err := l.Add(s, tt.keep); err != nil {
					t.Fatal(err)
				}
			}
			if len(l.Sets) != tt.want {
				t.Fatalf("kept %d sets, want %d", len(l.Sets), tt.want)
			}
			if tt.want > 0 {
				newest := t0.Add(time.Duration(tt.adds-1) * time.Hour)
				if !l.Sets[len(l.Sets)-1].CrawledAt.Equal(newest) || !l.Newest()[0].CrawledAt.Equal(newest) {
					t.Errorf("newest set is not the last added")
				}
				oldest := t0.Add(time.Duration(tt.adds-tt.want) * time.Hour)
				if !l.Sets[0].CrawledAt.Equal(oldest) {
					t.Errorf("oldest kept %s, want %s", l.Sets[0].CrawledAt, oldest)
				}
			}
		})
	}
}

func TestLogAddOrder(t *testing.T) {
	var l Log
	if err := l.Add(set(t1), 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(set(t0), 0); err == nil {
		t.Error("adding an earlier set: no error")
	}
	again := set(t1)
	again.Repositories[0].Name = "other"
	if err := l.Add(again, 0); err != nil || len(l.Sets) != 1 || l.Sets[0].Repositories[0].Name != "other" {
		t.Errorf("same crawl time again: %v, %d sets", err, len(l.Sets))
	}
}

// writeRun is one run's write: the log read from dir, s added, written
// with the snapshot through snapshot.WriteWith.
func writeRun(ctx context.Context, t *testing.T, dir string, s *Set, keep int) error {
	t.Helper()
	l, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(s, keep); err != nil {
		t.Fatal(err)
	}
	files, err := l.Files()
	if err != nil {
		t.Fatal(err)
	}
	sn, err := snapshot.Build(snapshot.Index{Registry: "r", CrawledAt: s.CrawledAt}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot.WriteWith(ctx, dir, sn, files)
}

// TestLogOnDisk writes runs through the snapshot writer: the log reads
// back as written, is pruned on disk, a run without changes leaves it
// as it was, and a cancelled write leaves the previous log intact.
func TestLogOnDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	for i := range 4 {
		if err := writeRun(t.Context(), t, dir, set(t0.Add(time.Duration(i)*time.Hour)), 3); err != nil {
			t.Fatal(err)
		}
	}
	l, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Sets) != 3 || !l.Sets[0].CrawledAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("read %d sets after pruning, oldest %s", len(l.Sets), l.Sets[0].CrawledAt)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, Dir))
	if len(entries) != 3 {
		t.Errorf("%d files in %s, want 3", len(entries), Dir)
	}
	first := filepath.Join(dir, Dir, FileName(t0.Add(time.Hour)))
	before, err := os.Stat(first)
	if err != nil {
		t.Fatal(err)
	}

	// A run without changes: nothing appended, files kept (same inode).
	if err := writeRun(t.Context(), t, dir, &Set{Registry: "r", CrawledAt: t0.Add(9 * time.Hour)}, 3); err != nil {
		t.Fatal(err)
	}
	if l2, _ := ReadLog(dir); len(l2.Sets) != 3 {
		t.Errorf("a run without changes changed the log to %d sets", len(l2.Sets))
	}
	after, err := os.Stat(first)
	if err != nil || !os.SameFile(before, after) {
		t.Errorf("an unchanged log file was rewritten (%v)", err)
	}

	// A cancelled run: the previous log is intact.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := writeRun(ctx, t, dir, set(t0.Add(10*time.Hour)), 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v", err)
	}
	l3, err := ReadLog(dir)
	if err != nil || len(l3.Sets) != 3 || !l3.Sets[2].CrawledAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("after a cancelled run: %v, %+v", err, l3)
	}
}

func TestReadLog(t *testing.T) {
	t.Run("missing directory is an empty log", func(t *testing.T) {
		dir := t.TempDir()
		l, err := ReadLog(dir)
		if err != nil || len(l.Sets) != 0 {
			t.Errorf("ReadLog = %+v, %v", l, err)
		}
	})
	for _, tt := range []struct{ name, file, content string }{
		{"stray file", "notes.txt", "x"},
		{"wrong schema version", FileName(t0), `{"schemaVersion":2,"registry":"r","crawledAt":"2026-01-01T00:00:00Z","repositories":[]}`},
		{"unknown field", FileName(t0), `{"schemaVersion":3,"registry":"r","crawledAt":"2026-01-01T00:00:00Z","repositories":[],"x":1}`},
		{"name and time disagree", FileName(t1), `{"schemaVersion":3,"registry":"r","crawledAt":"2026-01-01T00:00:00Z","repositories":[]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, Dir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, Dir, tt.file), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadLog(dir); err == nil {
				t.Error("ReadLog: no error")
			}
		})
	}
}
