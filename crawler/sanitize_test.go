package crawler

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/regcat/regcat/crawler/reghttp"
)

// TestRedactClientError shows why error text needs redact: net/http's
// Client puts the full URL, query included, into its errors.
func TestRedactClientError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	rt, err := reghttp.New(nil, reghttp.Config{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&http.Client{Transport: rt}).Get(srv.URL + "/token?scope=repository:query-secret:pull")
	if err == nil || !strings.Contains(err.Error(), "query-secret") {
		t.Fatalf("client error %v lacks the query: the premise of redact changed", err)
	}
	if got := errorText(err); strings.Contains(got, "query-secret") || !strings.Contains(got, srv.URL+"/token") {
		t.Fatalf("errorText(%q) = %q, want the URL without its query", err, got)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{`Get "https://u:p@reg.example:5000/v2/x/manifests/1?a=b#f": EOF`, `Get "https://reg.example:5000/v2/x/manifests/1": EOF`},
		{"GET http://reg/token?scope=s&service=x: UNAUTHORIZED", "GET http://reg/token: UNAUTHORIZED"},
		{"two HTTP://a/x?q https://b/y?r", "two http://a/x https://b/y"},
		{"bad https://u:p@h%zz/p?q=1 end", "bad https://h%zz end"},
		{"bad https://u:p?w/d@h:x/p?q=1#f", "bad https://h:x"},
		{"bad https://u:p@ss@h:x/p", "bad https://h:x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := redact(tt.in); got != tt.want {
				t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestErrorTextBounded: a registry's whole HTML error page is cut to
// maxErrorText runes without splitting a UTF-8 sequence.
func TestErrorTextBounded(t *testing.T) {
	got := errorText(&sanitizedError{msg: strings.Repeat("é", 3*maxErrorText)})
	if n := utf8.RuneCountInString(got); n != maxErrorText || !utf8.ValidString(got) {
		t.Fatalf("errorText kept %d runes (valid UTF-8: %v), want %d", n, utf8.ValidString(got), maxErrorText)
	}
}
