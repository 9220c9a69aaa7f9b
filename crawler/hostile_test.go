package crawler

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// TestHostileNames: names from the catalog or a tag list that could
// escape the snapshot directory, or are not valid names, are skipped with a
// reason and never become paths.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	hostileRepos := []string{"../../etc", "UPPER/case", strings.Repeat("a", 300), "/abs", "a/../../b", "sp ace", "a//b", "x\x00y"}
	hostileTags := []string{"../../passwd", ".hidden", "-dash", strings.Repeat("t", 200), "a/b", "tab\t"}
	inject := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/v2/_catalog":
				rec := &recorder{header: http.Header{}, code: http.StatusOK}
				next.ServeHTTP(rec, r)
				var p catalogPage
				if err := json.Unmarshal(rec.body, &p); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				p.Repositories = append(p.Repositories, hostileRepos...)
				json.NewEncoder(w).Encode(p)
			case "/v2/base/os/tags/list":
				rec := &recorder{header: http.Header{}, code: http.StatusOK}
				next.ServeHTTP(rec, r)
				var p tagsPage
				if err := json.Unmarshal(rec.body, &p); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				p.Tags = append(p.Tags, hostileTags...)
				json.NewEncoder(w).Encode(p)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
	fx := regtest.Standard(t)
	reg := populate(t, regtest.NewGGCR(t, regtest.WithWrap(inject)), fx)
	snap, st := mustCrawl(t, testConfig(reg))

	if len(snap.Repositories) != len(fx.Repos) {
		t.Errorf("%d repositories crawled, want the fixture's %d", len(snap.Repositories), len(fx.Repos))
	}
	if len(snap.Index.Skipped) != len(hostileRepos) {
		t.Errorf("skipped repositories %+v, want %d", snap.Index.Skipped, len(hostileRepos))
	}
	base := repo(t, snap, "base/os")
	if len(base.Skipped) != len(hostileTags) || len(base.Tags) != 4 {
		t.Errorf("base/os: tags %+v skipped %+v, want 4 tags and %d skipped", base.Tags, base.Skipped, len(hostileTags))
	}
	for _, s := range append(snap.Index.Skipped, base.Skipped...) {
		if s.Reason == "" || len(s.Name) > snapshot.MaxRepoNameLen+len("…") {
			t.Errorf("skipped %q: reason %q", s.Name, s.Reason)
		}
	}
	if st.Skipped != len(hostileRepos)+len(hostileTags) || len(failures(snap)) != 0 {
		t.Errorf("stats %+v failures %+v", st, failures(snap))
	}

	parent := t.TempDir()
	dir := filepath.Join(parent, "snap")
	if err := snapshot.Write(context.Background(), dir, snap); err != nil {
		t.Fatal(err)
	}
	var outside []string
	filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if rel, _ := filepath.Rel(dir, p); strings.HasPrefix(rel, "..") {
			outside = append(outside, p)
		}
		return nil
	})
	if len(outside) != 0 {
		t.Errorf("files outside the snapshot dir: %v", outside)
	}
	if _, err := snapshot.Read(dir); err != nil {
		t.Errorf("read back: %v", err)
	}
	if _, err := os.Stat(filepath.Join(parent, "etc")); err == nil {
		t.Error("a directory named by the catalog appeared next to the snapshot")
	}
}
