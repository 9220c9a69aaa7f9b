package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/regcat/regcat/"

// TestBoundaries fails when a package reaches across a boundary of the
// house style: snapshot imports only the standard library; render and
// badge know snapshots, never registries or the network client.
func TestBoundaries(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
		stdOnly   bool
	}{
		{pkg: "snapshot", stdOnly: true},
		{pkg: "render/badge", stdOnly: true},
		{pkg: "render", forbidden: []string{module + "crawler", "github.com/google/go-containerregistry", "github.com/distribution"}},
		{pkg: "templates", stdOnly: true},
		{pkg: "assets", stdOnly: true},
		{pkg: "crawler", forbidden: []string{module + "render", "html/template", "github.com/yuin/goldmark", "github.com/tdewolff/minify"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+tt.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			if len(deps) == 0 {
				t.Fatal("go list printed nothing: the test cannot see the package")
			}
			for _, d := range deps {
				if tt.stdOnly && d != module+tt.pkg {
					t.Errorf("%s imports %s; it may import only the standard library", tt.pkg, d)
				}
				for _, f := range tt.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s depends on %s", tt.pkg, d)
					}
				}
			}
		})
	}
}
