package badge

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// goldenBadges are drawn into testdata/<name>.svg and .json; each golden
// file was read and rendered in Chromium before it was committed.
var goldenBadges = []struct {
	name  string
	badge Badge
	style Style
}{
	{"build-passing", Badge{"build", "passing", BrightGreen}, Flat},
	{"build-passing-square", Badge{"build", "passing", BrightGreen}, FlatSquare},
	{"message-only", Badge{"", "v1.2.511", Blue}, Flat},
	{"bright-hex", Badge{"version", "1.27.3", "#FF0"}, Flat},
	{"size", Badge{"size", HumanSize(48_234_567), Blue}, Flat},
	{"unknown-square", Unknown("license"), FlatSquare},
	{"latin1", Badge{"licence", "Überprüft © 2024", "informational"}, Flat},
	{"cjk", Badge{"许可证", "开源", Green}, Flat},
	{"truncated", Badge{"platforms", "linux/amd64, linux/arm64, linux/arm/v7, linux/ppc64le, linux/s390x", Blue}, Flat},
	{"hostile", Badge{`<script>alert("x")</script>`, "a & b 'c'\x00\x1b[31m\u202eevil\u202c\xff", `red"/><script>`}, Flat},
}

// TestGolden compares badges with their golden files; run with -update to
// rewrite them, then read and view every changed file before committing.
func TestGolden(t *testing.T) {
	for _, g := range goldenBadges {
		t.Run(g.name, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", g.name+".svg"), SVG(g.badge, g.style))
			checkGolden(t, filepath.Join("testdata", g.name+".json"), Endpoint(g.badge))
		})
	}
}

// checkGolden compares got with the golden file at path, or rewrites it.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\ngot:  %s\nwant: %s", path, got, want)
	}
}
