package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderCommand(t *testing.T) {
	const fixture = "../../render/testdata/fixture"
	tmp := t.TempDir()
	foreign := filepath.Join(tmp, "home")
	os.MkdirAll(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("keep me"), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		file   string // a file the site must hold afterwards
	}{
		// The fixture holds the tag "<script>", which is left out: exit 3.
		{name: "renders", args: []string{"render", "--snapshot", fixture, "--out", filepath.Join(tmp, "site")}, code: exitPartial, stderr: "1 invalid name was left out", file: filepath.Join(tmp, "site", "index.html")},
		{name: "base url", args: []string{"render", "-s", fixture, "-o", filepath.Join(tmp, "pub"), "--base-url", "https://example.github.io/cat", "--title", "Cat"}, code: exitPartial, file: filepath.Join(tmp, "pub", "sitemap.xml")},
		{name: "bad base url", args: []string{"render", "-s", fixture, "-o", filepath.Join(tmp, "x"), "--base-url", "javascript:alert(1)"}, code: exitUsage, stderr: "base URL"},
		{name: "positional argument", args: []string{"render", "extra"}, code: exitUsage},
		{name: "missing snapshot", args: []string{"render", "-s", filepath.Join(tmp, "none"), "-o", filepath.Join(tmp, "y")}, code: exitFatal, stderr: "snapshot"},
		{name: "refuses a foreign directory", args: []string{"render", "-s", fixture, "-o", foreign}, code: exitFatal, stderr: "not a regcat site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, stderr.String())
			}
			if tt.file != "" {
				if _, err := os.Stat(tt.file); err != nil {
					t.Error(err)
				}
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(foreign, "notes.txt")); err != nil || string(b) != "keep me" {
		t.Errorf("foreign directory changed: %q, %v", b, err)
	}
}
