package render

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/regcat/regcat/assets"
	"github.com/regcat/regcat/internal/sitefs"
)

// staticOutput writes the marker, .nojekyll and the minified assets.
var staticOutput = output{name: "static files", write: func(_ context.Context, r *renderer, s *sitefs.Dir, _ spawner) error {
	if err := s.Write(MarkerFile, []byte(markerContent)); err != nil {
		return err
	}
	// GitHub Pages would otherwise run Jekyll, which hides files whose
	// names start with "_" or ".".
	if err := s.Write(noJekyll, nil); err != nil {
		return err
	}
	if err := s.Mkdir("assets"); err != nil {
		return err
	}
	return fs.WalkDir(assets.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.FS, name)
		if err != nil {
			return err
		}
		mt := map[string]string{".css": typeCSS, ".js": typeJS, ".svg": typeSVG}[path.Ext(name)]
		if mt == "" {
			return fmt.Errorf("asset %s: unknown type", name)
		}
		if b, err = r.min.Bytes(mt, b); err != nil {
			return fmt.Errorf("minify asset %s: %w", name, err)
		}
		return s.Write(assetsDir+name, b)
	})
}}
