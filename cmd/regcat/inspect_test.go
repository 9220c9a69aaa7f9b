package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regcat/regcat/internal/regtest"
)

// runOut runs regcat and returns the exit code, stdout and stderr.
func runOut(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestInspectCommand runs regcat inspect against the distribution
// registry with token auth (credentials from the environment) and from
// the snapshot a crawl of it wrote.
func TestInspectCommand(t *testing.T) {
	hermetic(t)
	reg, fx := startRegistry(t, regtest.WithTokenAuth())
	t.Setenv(envUsername, reg.Username)
	t.Setenv(envPassword, reg.Password)
	snap := filepath.Join(t.TempDir(), "snap")
	if code, stderr := runCLI(t, "", "crawl", reg.Host, "--snapshot", snap, "-q"); code != exitOK {
		t.Fatalf("crawl: %d %s", code, stderr)
	}
	api, _ := fx.Tag("team-a/api", "v1.9")
	image := reg.Host + "/team-a/api:v1.9"

	t.Run("json", func(t *testing.T) {
		for _, args := range [][]string{{"inspect", image}, {"inspect", "team-a/api:v1.9", "--snapshot", snap}} {
			code, out, stderr := runOut(t, "", args...)
			if code != exitOK {
				t.Fatalf("%v: %d %s", args, code, stderr)
			}
			var o struct {
				Digest   string
				Labels   map[string]string
				RepoTags []string
			}
			if err := json.Unmarshal([]byte(out), &o); err != nil {
				t.Fatal(err)
			}
			if o.Digest != api.Digest.String() || o.Labels["org.opencontainers.image.version"] != "1.9.0" || o.RepoTags == nil {
				t.Errorf("%v: %+v", args, o)
			}
		}
	})
	t.Run("labels", func(t *testing.T) {
		code, out, stderr := runOut(t, "", "inspect", "team-a/api:v1.9", "--snapshot", snap, "--labels", "org.opencontainers.image.v")
		want := "org.opencontainers.image.vendor=Team A\norg.opencontainers.image.version=1.9.0\n"
		if code != exitOK || out != want {
			t.Errorf("%d %q %s, want %q", code, out, stderr, want)
		}
	})
	t.Run("format", func(t *testing.T) {
		code, out, _ := runOut(t, "", "inspect", image, "--format", `{{ .Os }}/{{ .Architecture }} {{ index .Labels "org.opencontainers.image.title" }}`, "--platform", "linux/arm64")
		if code != exitOK || out != "linux/arm64 api\n" {
			t.Errorf("%d %q", code, out)
		}
	})
	t.Run("raw", func(t *testing.T) {
		code, out, _ := runOut(t, "", "inspect", image, "--raw")
		sum := sha256.Sum256([]byte(out))
		if code != exitOK || "sha256:"+hex.EncodeToString(sum[:]) != api.Digest.String() {
			t.Errorf("%d: --raw is not the manifest as served", code)
		}
	})
	t.Run("exit codes", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			code int
			msg  string
		}{
			{[]string{"inspect"}, exitUsage, "accepts 1 arg"},
			{[]string{"inspect", "a/../b"}, exitUsage, "invalid"},
			{[]string{"inspect", image, "--platform", "linux"}, exitUsage, "os/arch"},
			{[]string{"inspect", image, "--raw", "--labels", "x"}, exitUsage, "do not go together"},
			{[]string{"inspect", image, "--format", "{{ .Nope"}, exitUsage, "--format"},
			{[]string{"inspect", "team-a/api", "--snapshot", snap, "--raw"}, exitUsage, "need the registry"},
			{[]string{"inspect", "team-a/api"}, exitFatal, "no registry"},
			{[]string{"inspect", "team-a/api:nope", "--snapshot", snap}, exitFatal, "not in the snapshot"},
			{[]string{"inspect", image, "--platform", "linux/s390x"}, exitFatal, "no matching platform"},
			{[]string{"inspect", reg.Host + "/team-a/api:nope"}, exitFatal, "manifest unknown"},
		} {
			code, _, stderr := runOut(t, "", c.args...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.msg)
			}
		}
	})
}
