package changes

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/regcat/regcat/snapshot"
)

const (
	dA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	dB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	dC = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

var (
	t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
)

// repo builds a repository from "tag=digest" pairs; its images are the
// digests the tags name plus untagged ones.
func repo(name string, tags map[string]string, untagged ...string) snapshot.Repository {
	r := snapshot.Repository{Name: name}
	seen := map[string]bool{}
	for t, d := range tags {
		r.Tags = append(r.Tags, snapshot.Tag{Name: t, Digest: d})
		if !seen[d] {
			seen[d] = true
			r.Images = append(r.Images, snapshot.Image{Digest: d})
		}
	}
	for _, d := range untagged {
		r.Images = append(r.Images, snapshot.Image{Digest: d})
	}
	return r
}

func snap(t *testing.T, at time.Time, idx func(*snapshot.Index), repos ...snapshot.Repository) *snapshot.Snapshot {
	t.Helper()
	x := snapshot.Index{Registry: "reg.example:5000", CrawledAt: at}
	if idx != nil {
		idx(&x)
	}
	s, err := snapshot.Build(x, repos)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDiff(t *testing.T) {
	base := []snapshot.Repository{
		repo("app", map[string]string{"latest": dA, "v1": dA, "old": dB}),
		repo("gone", map[string]string{"latest": dC}),
		repo("same", map[string]string{"latest": dC}),
	}
	tests := []struct {
		name    string
		old     *snapshot.Snapshot
		new     *snapshot.Snapshot
		want    []Repo
		summary string
		// repoSummaries are the Repo.Summary of each of want.
		repoSummaries []string
	}{
		{"equal", snap(t, t0, nil, base...), snap(t, t1, nil, base...), nil, "no changes", nil},
		{
			"tags new, moved, deleted; repositories added and removed",
			snap(t, t0, nil, base...),
			snap(t, t1, nil,
				repo("app", map[string]string{"latest": dB, "v1": dA, "v2": dB, "v3": dC}),
				repo("new", map[string]string{"latest": dA}),
				repo("same", map[string]string{"latest": dC}),
			),
			[]Repo{
				{Name: "app", Status: Changed,
					NewTags:     []Tag{{"v2", dB}, {"v3", dC}},
					ChangedTags: []Move{{"latest", dA, dB}},
					DeletedTags: []Tag{{"old", dB}},
					NewImages:   []string{dC}},
				{Name: "gone", Status: Removed, DeletedTags: []Tag{{"latest", dC}}, DeletedImages: []string{dC}},
				{Name: "new", Status: Added, NewTags: []Tag{{"latest", dA}}, NewImages: []string{dA}},
			},
			"1 new repository, 1 removed repository; 3 new tags, 1 moved, 2 deleted in 3 repositories",
			[]string{"2 new tags, 1 tag moved, 1 tag deleted", "repository removed, 1 tag deleted", "new repository, 1 new tag"},
		},
		{
			"untagged image only",
			snap(t, t0, nil, repo("same", map[string]string{"latest": dC})),
			snap(t, t1, nil, repo("same", map[string]string{"latest": dC}, dA)),
			[]Repo{{Name: "same", Status: Changed, NewImages: []string{dA}}},
			"1 new image in 1 repository",
			[]string{"1 new image"},
		},
		{
			"a failed tag is not deleted",
			snap(t, t0, nil, repo("app", map[string]string{"latest": dA, "v1": dB})),
			snap(t, t1, nil, func() snapshot.Repository {
				r := repo("app", map[string]string{"latest": dA})
				r.Failures = []snapshot.Failure{{Repo: "app", Tag: "v1", Op: "manifest", Status: 500, Error: "x"}}
				return r
			}()),
			nil, "no changes", nil,
		},
		{
			"a failed tag list deletes nothing",
			snap(t, t0, nil, repo("app", map[string]string{"latest": dA})),
			snap(t, t1, nil, snapshot.Repository{Name: "app", Failures: []snapshot.Failure{{Repo: "app", Op: "tags", Status: 401, Error: "x"}}}),
			nil, "no changes", nil,
		},
		{
			"a capped tag list deletes nothing but adds",
			snap(t, t0, nil, repo("app", map[string]string{"a": dA, "b": dB})),
			snap(t, t1, nil, func() snapshot.Repository {
				r := repo("app", map[string]string{"0": dC})
				r.Truncated = &snapshot.Truncation{Limit: 1, Listed: 3}
				return r
			}()),
			[]Repo{{Name: "app", Status: Changed, NewTags: []Tag{{"0", dC}}, NewImages: []string{dC}}},
			"1 new tag in 1 repository",
			[]string{"1 new tag"},
		},
		{
			"a repository with a recorded failure is not removed",
			snap(t, t0, nil, base...),
			snap(t, t1, func(x *snapshot.Index) {
				x.Failures = []snapshot.Failure{{Repo: "gone", Op: "tags", Error: "x"}}
			}, base[0], base[2]),
			nil, "no changes", nil,
		},
		{
			"no previous snapshot",
			nil,
			snap(t, t1, nil, base[2]),
			[]Repo{{Name: "same", Status: Added, NewTags: []Tag{{"latest", dC}}, NewImages: []string{dC}}},
			"1 new repository; 1 new tag in 1 repository",
			[]string{"new repository, 1 new tag"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Diff(tt.old, tt.new)
			if !reflect.DeepEqual(s.Repositories, tt.want) {
				t.Errorf("Diff repositories\n%+v\nwant\n%+v", s.Repositories, tt.want)
			}
			if s.Empty() != (len(tt.want) == 0) {
				t.Errorf("Empty() = %v with %d repositories", s.Empty(), len(tt.want))
			}
			for i := range s.Repositories {
				if got := s.Repositories[i].Summary(); got != tt.repoSummaries[i] {
					t.Errorf("%s: Repo.Summary() = %q, want %q", s.Repositories[i].Name, got, tt.repoSummaries[i])
				}
			}
			if got := s.Summary(); got != tt.summary {
				t.Errorf("Summary() = %q, want %q", got, tt.summary)
			}
			if !s.CrawledAt.Equal(t1) || s.Registry != "reg.example:5000" {
				t.Errorf("crawledAt %s registry %q", s.CrawledAt, s.Registry)
			}
			if want := tt.old != nil; !s.Since.IsZero() != want {
				t.Errorf("since %s, want set %v", s.Since, want)
			}
			if got := diffFromDisk(t, tt.old, tt.new); !reflect.DeepEqual(got, s) {
				t.Errorf("Differ of the old snapshot on disk, new repositories in reverse order:\n%+v\nDiff:\n%+v", got, s)
			}
		})
	}
}

// diffFromDisk is the Set of a Differ from old written to disk and
// opened, given the repositories of new from last to first.
func diffFromDisk(t *testing.T, old, new *snapshot.Snapshot) *Set {
	t.Helper()
	ctx := context.Background()
	var src snapshot.Source
	if old != nil {
		dir := filepath.Join(t.TempDir(), "old")
		if err := snapshot.Write(ctx, dir, old); err != nil {
			t.Fatal(err)
		}
		d, err := snapshot.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		src = d
	}
	d, err := NewDiffer(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(new.Repositories) - 1; i >= 0; i-- {
		if err := d.Add(ctx, &new.Repositories[i]); err != nil {
			t.Fatal(err)
		}
	}
	if len(new.Repositories) > 0 {
		if err := d.Add(ctx, &new.Repositories[0]); err == nil {
			t.Error("a repository added twice is no error")
		}
	}
	s, err := d.Finish(ctx, &new.Index)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNilSet: a nil Set is empty.
func TestNilSet(t *testing.T) {
	var s *Set
	if !s.Empty() || s.Summary() != "no changes" || s.Repo("x") != nil || s.Count() != (Counts{}) {
		t.Error("nil Set is not empty")
	}
}

// TestMarshal checks the documented field names and that encoding is
// deterministic and decodes back to the same Set.
func TestMarshal(t *testing.T) {
	old := snap(t, t0, nil, repo("app", map[string]string{"latest": dA, "old": dB}))
	new := snap(t, t1, nil, repo("app", map[string]string{"latest": dB, "v2": dC}))
	s := Diff(old, new)
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "registry": "reg.example:5000",
  "since": "2026-01-01T00:00:00Z",
  "crawledAt": "2026-01-02T00:00:00Z",
  "repositories": [
    {
      "name": "app",
      "status": "changed",
      "newTags": [
        {
          "name": "v2",
          "digest": "` + dC + `"
        }
      ],
      "changedTags": [
        {
          "name": "latest",
          "oldDigest": "` + dA + `",
          "digest": "` + dB + `"
        }
      ],
      "deletedTags": [
        {
          "name": "old",
          "digest": "` + dB + `"
        }
      ],
      "newImages": [
        "` + dC + `"
      ],
      "deletedImages": [
        "` + dA + `"
      ]
    }
  ]
}
`
	if string(b) != want {
		t.Errorf("Marshal:\n%s\nwant\n%s", b, want)
	}
	var back Set
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, s) {
		t.Errorf("decoded %+v, want %+v", back, *s)
	}
	empty, err := (&Set{Registry: "r", CrawledAt: t1}).Marshal()
	if err != nil || !strings.Contains(string(empty), `"repositories": []`) {
		t.Errorf("empty set encodes as %s (%v)", empty, err)
	}
}
