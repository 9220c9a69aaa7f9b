package refresh

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distribution/distribution/v3/notifications"
	"github.com/docker/go-events"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/pipeline"
	"github.com/regcat/regcat/render"
)

func newTestRefresher(t *testing.T) *Refresher {
	t.Helper()
	r, err := New(Config{
		Run: pipeline.Config{SnapshotDir: t.TempDir(), Crawl: &crawler.Config{Registry: "127.0.0.1:9"},
			Render: &render.Config{Out: t.TempDir() + "/site"}},
		Token: "tok-3",
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRegistryEnvelope: an envelope encoded by the distribution
// registry's own notifications types names the repositories of its push
// and delete events, not those of pulls and mounts.
func TestRegistryEnvelope(t *testing.T) {
	event := func(action, repo, tag string) notifications.Event {
		var e notifications.Event
		e.ID, e.Timestamp, e.Action = "id-"+repo, time.Unix(0, 0), action
		e.Target.Repository, e.Target.Tag = repo, tag
		e.Target.MediaType = "application/vnd.oci.image.manifest.v1+json"
		e.Target.Digest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		return e
	}
	env := notifications.Envelope{Events: []events.Event{
		event(notifications.EventActionPush, "team-a/api", "v1"),
		event(notifications.EventActionPull, "team-b/pulled", "latest"),
		event(notifications.EventActionMount, "team-c/mounted", ""),
		event(notifications.EventActionDelete, "base/os", ""),
	}}
	body, err := json.MarshalIndent(env, "", "   ")
	if err != nil {
		t.Fatal(err)
	}
	r := newTestRefresher(t)
	req := httptest.NewRequest(http.MethodPost, PathRegistry, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", notifications.EventsMediaType)
	req.Header.Set("Authorization", "Bearer tok-3")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if got, want := r.Status().Queue.Repositories, []string{"base/os", "team-a/api"}; !slices.Equal(got, want) {
		t.Errorf("queued %v, want %v", got, want)
	}
}

// TestQueueCoalesces: names accumulate once each, sorted; a request for
// the whole registry subsumes them and whatever comes after.
func TestQueueCoalesces(t *testing.T) {
	r := newTestRefresher(t)
	for _, names := range [][]string{{"b"}, {"a", "b"}} {
		if err := r.Request(names); err != nil {
			t.Fatal(err)
		}
	}
	if q := r.Status().Queue; !slices.Equal(q.Repositories, []string{"a", "b"}) || q.All || q.Since.IsZero() {
		t.Errorf("queue %+v", q)
	}
	if err := r.Request(nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Request([]string{"c"}); err != nil {
		t.Fatal(err)
	}
	if q := r.Status().Queue; !q.All || len(q.Repositories) != 0 {
		t.Errorf("queue %+v, want the whole registry", q)
	}
	if err := r.Request([]string{"../x"}); err == nil {
		t.Error("an invalid name was queued")
	}
	b, ok := r.take()
	if !ok || !b.All || !r.Status().Queue.Since.IsZero() || r.Status().Running == nil {
		t.Errorf("take: %+v %v; status %+v", b, ok, r.Status())
	}

	// Past MaxQueued names, the whole registry.
	names := make([]string, MaxQueued)
	for i := range names {
		names[i] = fmt.Sprintf("r%d", i)
	}
	if err := r.Request(names); err != nil {
		t.Fatal(err)
	}
	if q := r.Status().Queue; q.All || len(q.Repositories) != MaxQueued {
		t.Fatalf("queue of %d names: all %v", len(q.Repositories), q.All)
	}
	if err := r.Request([]string{"one-more"}); err != nil {
		t.Fatal(err)
	}
	if q := r.Status().Queue; !q.All || len(q.Repositories) != 0 {
		t.Errorf("queue past MaxQueued: all %v, %d names", q.All, len(q.Repositories))
	}
	b, ok = r.take()
	if !ok || !b.All || !r.Status().Queue.Since.IsZero() || r.Status().Running == nil {
		t.Errorf("take: %+v %v; status %+v", b, ok, r.Status())
	}
}

func TestAuthorized(t *testing.T) {
	r := newTestRefresher(t)
	tests := []struct {
		header, query string
		ok            bool
	}{
		{"Bearer tok-3", "", true},
		{"bearer  tok-3 ", "", true},
		{"", "tok-3", true},
		{"Bearer tok-4", "tok-3", false}, // a header, when present, decides
		{"Basic tok-3", "", false},
		{"Bearer", "", false},
		{"Bearer tok-", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodPost, PathRefresh+"?token="+tt.query, nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		if got := r.authorized(req); got != tt.ok {
			t.Errorf("Authorization %q, ?token=%q: %v, want %v", tt.header, tt.query, got, tt.ok)
		}
	}
}
