package render

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestSiteLimitWarning renders the fixture with the limit just below and
// at its size: the warning comes only when the site is larger.
func TestSiteLimitWarning(t *testing.T) {
	var logs bytes.Buffer
	cfg := Config{Out: filepath.Join(t.TempDir(), "site"), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	renderTo(t, cfg, fixture())
	if strings.Contains(logs.String(), "larger than GitHub Pages") {
		t.Fatalf("warned about a small site:\n%s", logs.String())
	}
	size := int64(0)
	for _, b := range readTree(t, cfg.Out) {
		size += int64(len(b))
	}
	for _, tt := range []struct {
		limit int64
		warn  bool
	}{{size - 1, true}, {size, false}} {
		siteLimit = tt.limit
		logs.Reset()
		renderTo(t, cfg, fixture())
		siteLimit = GitHubPagesLimit
		if got := strings.Contains(logs.String(), "larger than GitHub Pages"); got != tt.warn {
			t.Errorf("limit %d for a site of %d bytes: warned %v, want %v\n%s", tt.limit, size, got, tt.warn, logs.String())
		}
	}
}
