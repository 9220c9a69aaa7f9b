package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regcat/regcat/changes"
)

const (
	dA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	dB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

var t0 = time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)

// testSet has a changed and an added repository.
func testSet() *changes.Set {
	return &changes.Set{Registry: "reg.example:5000", Since: t0.Add(-24 * time.Hour), CrawledAt: t0,
		Repositories: []changes.Repo{
			{Name: "team-a/api", Status: changes.Changed,
				NewTags:     []changes.Tag{{Name: "v2", Digest: dB}},
				ChangedTags: []changes.Move{{Name: "latest", OldDigest: dA, Digest: dB}},
				DeletedTags: []changes.Tag{{Name: "old", Digest: dA}}},
			{Name: "team-b/new", Status: changes.Added, NewTags: []changes.Tag{{Name: "1.0", Digest: dA}}},
		}}
}

// receiver is a webhook receiver answering statuses in turn (the last
// one for ever) and keeping every request.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	bodies   [][]byte
	retry    string // Retry-After of failures
	stall    time.Duration
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.headers = append(rc.headers, r.Header.Clone())
	rc.bodies = append(rc.bodies, b)
	status := rc.statuses[min(len(rc.bodies)-1, len(rc.statuses)-1)]
	stall := rc.stall
	rc.mu.Unlock()
	if stall > 0 {
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return
		}
	}
	if status >= 300 && rc.retry != "" {
		w.Header().Set("Retry-After", rc.retry)
	}
	w.WriteHeader(status)
}

func (rc *receiver) requests() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.bodies)
}

// serve starts rc and returns a URL with a secret in its path, as
// incoming-webhook services give.
func serve(t *testing.T, rc *receiver) string {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return srv.URL + "/services/T000/SECRET-PATH?key=SECRET-QUERY"
}

func quick(urls ...string) Config {
	return Config{URLs: urls, Backoff: time.Millisecond, Timeout: 2 * time.Second, MaxRetryAfter: 50 * time.Millisecond}
}

// TestSendDocument: one POST per URL, whose body has the documented
// shape and whose signature verifies with the secret, computed here and
// by openssl as docs/notifications.md shows.
func TestSendDocument(t *testing.T) {
	rc1, rc2 := &receiver{statuses: []int{204}}, &receiver{statuses: []int{200}}
	cfg := quick(serve(t, rc1), serve(t, rc2))
	cfg.Secret = []byte("s3cret-Kq")
	st := Send(t.Context(), cfg, FromChanges(testSet()))
	if st != (Stats{Delivered: 2, Attempts: 2}) {
		t.Fatalf("stats %+v, want 2 delivered in 2 attempts", st)
	}
	if rc1.requests() != 1 || rc2.requests() != 1 {
		t.Fatalf("requests %d and %d, want one each", rc1.requests(), rc2.requests())
	}
	body, h := rc1.bodies[0], rc1.headers[0]
	if !bytes.Equal(body, rc2.bodies[0]) || h.Get(DeliveryHeader) != rc2.headers[0].Get(DeliveryHeader) {
		t.Error("the URLs got different documents")
	}
	if h.Get("Content-Type") != "application/json" || h.Get("Authorization") != "" {
		t.Errorf("headers %v", h)
	}

	var doc struct {
		Text         string    `json:"text"`
		Registry     string    `json:"registry"`
		CrawledAt    time.Time `json:"crawledAt"`
		Since        time.Time `json:"since"`
		Repositories []struct {
			Name        string              `json:"name"`
			ImageName   string              `json:"image_name"`
			Status      string              `json:"status"`
			NewTags     []map[string]string `json:"new_tags"`
			ChangedTags []map[string]string `json:"changed_tags"`
			DeletedTags []map[string]string `json:"deleted_tags"`
		} `json:"repositories"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("body: %v\n%s", err, body)
	}
	if doc.Registry != "reg.example:5000" || !doc.CrawledAt.Equal(t0) || !doc.Since.Equal(t0.Add(-24*time.Hour)) {
		t.Errorf("registry %q, crawledAt %s, since %s", doc.Registry, doc.CrawledAt, doc.Since)
	}
	if strings.Contains(doc.Text, "\n") || !strings.Contains(doc.Text, "reg.example:5000") || !strings.Contains(doc.Text, "team-a/api, team-b/new") {
		t.Errorf("text %q", doc.Text)
	}
	if len(doc.Repositories) != 2 {
		t.Fatalf("repositories %+v", doc.Repositories)
	}
	api, added := doc.Repositories[0], doc.Repositories[1]
	if api.Name != "team-a/api" || api.ImageName != "reg.example:5000/team-a/api" || api.Status != "changed" {
		t.Errorf("first repository %+v", api)
	}
	want := map[string]string{"tag": "latest", "old_digest": dA, "digest": dB}
	if len(api.ChangedTags) != 1 || !maps.Equal(api.ChangedTags[0], want) {
		t.Errorf("changed_tags %v, want [%v]", api.ChangedTags, want)
	}
	if len(api.NewTags) != 1 || api.NewTags[0]["digest"] != dB || len(api.DeletedTags) != 1 || api.DeletedTags[0]["tag"] != "old" {
		t.Errorf("new_tags %v, deleted_tags %v", api.NewTags, api.DeletedTags)
	}
	if added.Status != "added" || added.ChangedTags == nil || added.DeletedTags == nil {
		t.Errorf("added repository %+v: lists must be [] not null", added)
	}
	if !strings.Contains(string(body), `"deleted_tags": []`) {
		t.Error(`an empty list is not encoded as []`)
	}

	mac := hmac.New(sha256.New, cfg.Secret)
	mac.Write(body)
	if got, want := h.Get(SignatureHeader), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("%s: %q, want %q", SignatureHeader, got, want)
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		cmd := exec.Command("openssl", "dgst", "-sha256", "-hmac", string(cfg.Secret), "-r")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if hexSum, _, _ := strings.Cut(string(out), " "); "sha256="+hexSum != h.Get(SignatureHeader) {
			t.Errorf("openssl computes %s, the header is %s", hexSum, h.Get(SignatureHeader))
		}
	}
}

// TestSendRetries: retryable failures are retried up to MaxAttempts,
// honouring a capped Retry-After; final ones are not; a stalled receiver
// costs one timeout per attempt; failures are logged without the URL's
// path or query.
func TestSendRetries(t *testing.T) {
	tests := []struct {
		name     string
		rc       *receiver
		timeout  time.Duration
		want     Stats
		requests int
	}{
		{"5xx then success", &receiver{statuses: []int{503, 500, 200}}, 0, Stats{Delivered: 1, Attempts: 3}, 3},
		{"429 with a long Retry-After, capped", &receiver{statuses: []int{429, 202}, retry: "3600"}, 0, Stats{Delivered: 1, Attempts: 2}, 2},
		{"always 5xx", &receiver{statuses: []int{502}, retry: "0"}, 0, Stats{Failed: 1, Attempts: MaxAttempts}, MaxAttempts},
		{"4xx is final", &receiver{statuses: []int{404}}, 0, Stats{Failed: 1, Attempts: 1}, 1},
		{"a redirect is final", &receiver{statuses: []int{307}}, 0, Stats{Failed: 1, Attempts: 1}, 1},
		{"stalled", &receiver{statuses: []int{200}, stall: 10 * time.Second}, 50 * time.Millisecond, Stats{Failed: 1, Attempts: MaxAttempts}, MaxAttempts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := quick(serve(t, tt.rc))
			if tt.timeout > 0 {
				cfg.Timeout = tt.timeout
			}
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			start := time.Now()
			st := Send(t.Context(), cfg, FromChanges(testSet()))
			if st != tt.want {
				t.Errorf("stats %+v, want %+v", st, tt.want)
			}
			if n := tt.rc.requests(); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Send took %s: a Retry-After or a stall was not bounded", d)
			}
			if strings.Contains(logs.String(), "SECRET") {
				t.Errorf("the log shows the URL's path or query:\n%s", logs.String())
			}
			if tt.want.Failed > 0 && !strings.Contains(logs.String(), "notification failed") {
				t.Errorf("the failure is not logged:\n%s", logs.String())
			}
		})
	}
}

// TestSendUnreachable: a URL nobody listens at fails after MaxAttempts
// without its path in the log.
func TestSendUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hook/SECRET-PATH"
	srv.Close()
	var logs bytes.Buffer
	cfg := quick(u)
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	if st := Send(t.Context(), cfg, FromChanges(testSet())); st.Failed != 1 || st.Attempts != MaxAttempts {
		t.Errorf("stats %+v", st)
	}
	if strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "notification failed") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestFromChangesEmpty(t *testing.T) {
	if m := FromChanges(nil); m != nil {
		t.Errorf("FromChanges(nil) = %+v", m)
	}
	if m := FromChanges(&changes.Set{Registry: "r", CrawledAt: t0}); m != nil {
		t.Errorf("FromChanges(empty) = %+v", m)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		urls []string
		ok   bool
	}{
		{[]string{"https://hooks.example/x", "http://127.0.0.1:9/y"}, true},
		{[]string{"ftp://example/x"}, false},
		{[]string{"/relative"}, false},
		{[]string{"https://user:pw@example/x"}, false},
		{[]string{"https://exa mple/%zz"}, false},
	}
	for _, tt := range tests {
		cfg := Config{URLs: tt.urls}
		err := cfg.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%v) = %v", tt.urls, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("the error shows the URL's credentials: %v", err)
		}
	}
	if err := (&Config{Secret: []byte("x")}).Validate(); err == nil {
		t.Error("a secret without URLs is valid")
	}
}
