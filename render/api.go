package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
	"github.com/regcat/regcat/snapshot"
)

// apiOutput writes api/index.json and a JSON record per repository
// under api/repos/.
var apiOutput = output{name: "api",
	write: func(ctx context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
		if err := s.Mkdir(apiDir + "repos"); err != nil {
			return err
		}
		return spawn(func(context.Context) error { return r.apiIndex(s) })
	},
	repo: func(r *renderer, s *sitefs.Dir, spawn spawner, rp *catalog.Repo, full *catalog.Full) error {
		return spawn(func(context.Context) error { return r.apiRepo(s, rp, full) })
	}}

// apiIndex writes api/index.json: the snapshot's index, listing the
// repositories the site has, each summarised from the images the site
// shows with the default image its pages and badges follow
// (Config.BadgeTag).
func (r *renderer) apiIndex(s *sitefs.Dir) error {
	idx := *r.cat.Index
	idx.Repositories = make([]snapshot.RepoSummary, len(r.cat.Repos))
	for i, rp := range r.cat.Repos {
		idx.Repositories[i] = rp.Summary
	}
	return r.json(s, apiDir+snapshot.IndexFile, &idx)
}

// apiRepo writes a repository's JSON record, without environment
// variables unless Config.ShowEnv.
func (r *renderer) apiRepo(s *sitefs.Dir, rp *catalog.Repo, full *catalog.Full) error {
	name, err := apiPath(rp.Name)
	if err != nil {
		return err
	}
	return r.json(s, name, r.public(full.Repo))
}

// json writes v as encoding/json writes it: with the field order of the
// snapshot types, sorted map keys and no white space, already as small
// as a JSON minifier would make it (the snapshot holds no floats), so
// that a repository's record, tens of megabytes at the tag cap, is not
// copied again. The indentation that snapshot.Marshal adds would only be
// removed again.
func (r *renderer) json(s *sitefs.Dir, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return s.Write(name, escapeInvisible(b))
}

// escapeInvisible rewrites bidirectional formatting and C1 control
// characters in JSON as \u escapes: the decoded data is the same, but
// the file cannot mislead someone reading it. Outside strings JSON is
// ASCII, so every such character is inside a string.
func escapeInvisible(b []byte) []byte {
	if isPlain(string(b)) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if isBidiControl(r) || (r >= 0x7f && r <= 0x9f) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[i : i+n])
		}
		i += n
	}
	return out.Bytes()
}
