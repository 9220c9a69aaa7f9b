package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/regcat/regcat/snapshot"
)

// apiIndex writes api/index.json: the snapshot's index, listing only the
// repositories the site has.
func (r *renderer) apiIndex(s *site) error {
	idx := r.snap.Index
	idx.Repositories = nil
	have := make(map[string]bool, len(r.plan.repos))
	for _, rp := range r.plan.repos {
		have[rp.name] = true
	}
	for _, sum := range r.snap.Index.Repositories {
		if have[sum.Name] {
			idx.Repositories = append(idx.Repositories, sum)
			delete(have, sum.Name)
		}
	}
	return r.json(s, apiDir+snapshot.IndexFile, &idx)
}

// apiRepo writes a repository's JSON record, without environment
// variables unless Config.ShowEnv.
func (r *renderer) apiRepo(s *site, rp *repoPlan) error {
	name, err := apiRepo(rp.name)
	if err != nil {
		return err
	}
	return r.json(s, name, public(rp.repo, r.cfg.ShowEnv))
}

// json writes v, minified. The field order and sorted map keys of the
// snapshot encoding come from encoding/json itself; the indentation that
// snapshot.Marshal adds would only be removed again.
func (r *renderer) json(s *site, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if b, err = r.min.Bytes(typeJSON, b); err != nil {
		return fmt.Errorf("minify %s: %w", name, err)
	}
	return s.write(name, escapeInvisible(b))
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
