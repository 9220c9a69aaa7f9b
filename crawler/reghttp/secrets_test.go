package reghttp

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestNoSecretsInLogsOrErrors sends a request carrying every kind of
// secret a crawl handles — URL userinfo, a token-endpoint query and an
// Authorization header — into retried failures, and searches the logs and
// errors for them.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	secrets := []string{"userinfo-secret", "query-secret", "header-secret"}
	tests := []struct {
		name   string
		faults []fault
	}{
		{"status", []fault{status(http.StatusServiceUnavailable), status(http.StatusServiceUnavailable), status(http.StatusServiceUnavailable)}},
		{"reset", []fault{reset(""), reset(""), reset("")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFaultServer(t, payload, tt.faults...)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			rt := newTestTransport(t, Config{MaxAttempts: 3, Logger: logger})

			url := strings.Replace(srv.URL, "http://", "http://crawler:userinfo-secret@", 1) +
				"/token?scope=repository:query-secret:pull&service=registry"
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer header-secret")
			var msg string
			switch resp, err := rt.RoundTrip(req); {
			case err != nil:
				msg = err.Error()
			case resp.StatusCode != http.StatusServiceUnavailable:
				t.Fatalf("status %d, want the last 503", resp.StatusCode)
			}

			// The log must carry the stable keys, or the search below
			// proves nothing.
			wantKeys := []string{"method=GET", "url=" + srv.URL + "/token ", "attempt=1", "attempt=2", "delay="}
			for _, k := range wantKeys {
				if !strings.Contains(logs.String(), k) {
					t.Errorf("log lacks %q:\n%s", k, logs.String())
				}
			}
			for _, s := range secrets {
				if strings.Contains(logs.String(), s) {
					t.Errorf("log contains %q:\n%s", s, logs.String())
				}
				if strings.Contains(msg, s) {
					t.Errorf("error contains %q: %s", s, msg)
				}
			}
		})
	}
}
