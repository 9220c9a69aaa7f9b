package render

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
	"github.com/regcat/regcat/snapshot"
)

// The label index: labels/index.html lists every key, labels/<file> each
// key's values and their images (see labelFile), api/labels.json all of
// it for scripts.
var (
	labelsHTML = page{template: "labels.html", path: fixed(labelsDir + indexPage), dir: strings.TrimSuffix(labelsDir, "/"),
		data: func(r *renderer, _ subject) (any, error) { return r.labelsData(), nil }}
	labelHTML = page{template: "label.html", scope: labelScope, dir: strings.TrimSuffix(labelsDir, "/"),
		path: func(s subject) string { return labelsDir + s.label.file },
		data: func(r *renderer, s subject) (any, error) { return r.labelData(s.label), nil }}
)

// Caps of a key's page: the values it lists, and the images it lists
// under each value (a page of 1,000 values of 50 images was megabytes
// of links, and the costliest page of a re-render). api/labels.json has
// them all.
const (
	maxLabelValues      = 1000
	maxLabelValueImages = 10
	// maxLabelText is the most runes of a key or value a page shows.
	maxLabelText = 300
)

// labelKey is a key of the catalog's label index and the file of its
// page in labelsDir.
type labelKey struct {
	*catalog.LabelKey
	file string
}

// labelKeys pairs each key of the label index with the file of its page.
// The file is "<slug>-<hash>.html": slug keeps the key's ASCII letters
// and digits, lower-cased, and its ".", "_" and "-", with each run of
// other characters as one "-", at most 60 of them, never starting with
// "." or "-" ("key" when nothing is left); hash is the first 12 hex
// digits of the SHA-256 of the key's bytes. Keys whose names would
// collide (two keys that differ only in case or in the characters the
// slug drops share a slug; their hashes also agree in 12 digits only by
// accident or design) get the whole 64-digit hash instead, so no two
// keys share a file and no file name leaves the directory.
func labelKeys(keys []catalog.LabelKey) []labelKey {
	out := make([]labelKey, len(keys))
	count := map[string]int{}
	for i := range keys {
		out[i] = labelKey{LabelKey: &keys[i], file: labelFile(keys[i].Key, 12)}
		count[out[i].file]++
	}
	for i := range out {
		if count[out[i].file] > 1 {
			out[i].file = labelFile(out[i].Key, sha256.Size*2)
		}
	}
	return out
}

// labelFile is the file name of key's page with n hex digits of its hash
// (see labelKeys).
func labelFile(key string, n int) string {
	var b strings.Builder
	dash := false
	for _, c := range []byte(key) {
		if b.Len() == 60 {
			break
		}
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-') && b.Len() > 0:
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteByte(c)
	}
	slug := b.String()
	if slug == "" {
		slug = "key"
	}
	h := sha256.Sum256([]byte(key))
	return slug + "-" + hex.EncodeToString(h[:])[:n] + ".html"
}

// labelText is a key or value as a page shows it: on one line, cleaned
// and cut at maxLabelText runes.
func labelText(s string) string { return oneLine(snapshot.Truncate(s, maxLabelText)) }

func (r *renderer) labelsData() *LabelsPage {
	d := &LabelsPage{Page: r.pageFor(labelsDir+indexPage, "Labels"), Images: len(r.cat.Images), JSON: "../" + labelsJSON}
	for _, k := range r.labels {
		d.Keys = append(d.Keys, LabelKeyRow{Key: labelText(k.Key), Href: k.file, Images: k.Images, Values: len(k.Values)})
	}
	for _, ip := range r.cat.Images {
		if len(ip.Meta) == 0 {
			d.Unlabelled++
		}
	}
	return d
}

func (r *renderer) labelData(k *labelKey) *LabelPage {
	d := &LabelPage{Page: r.pageFor(labelsDir+k.file, labelText(k.Key)), Key: labelText(k.Key), Images: k.Images, JSON: "../" + labelsJSON}
	for i, v := range k.Values {
		if i == maxLabelValues {
			d.MoreValues = len(k.Values) - maxLabelValues
			break
		}
		row := LabelValueRow{Value: labelText(v.Value)}
		for j, ip := range v.Images {
			if j == maxLabelValueImages {
				row.MoreImages = len(v.Images) - maxLabelValueImages
				break
			}
			row.Images = append(row.Images, Relative{
				Repo:  ip.Repo.Name,
				Tags:  strings.Join(ip.Tags, ", "),
				Short: shortDigest(ip.Digest),
				Href:  "../" + imagePage(ip.Repo.Name, ip.Digest),
			})
		}
		d.Values = append(d.Values, row)
	}
	return d
}

// labelsJSONOutput writes api/labels.json: every key, its values and the
// images carrying each, as "<repo>@<digest>" of the top-level image;
// keys and values sorted (encoding/json sorts map keys) and each list
// sorted. It is not capped: it is what scripts query.
var labelsJSONOutput = output{name: "label api", write: func(_ context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
	if err := s.Mkdir(strings.TrimSuffix(apiDir, "/")); err != nil {
		return err
	}
	return spawn(func(context.Context) error {
		return s.WriteStream(labelsJSON, func(w io.Writer) error { return labelsAPI(w, r.cat.Labels) })
	})
}}

// labelsAPI writes api/labels.json for the label index keys to w, as
// encoding/json would write map[string]map[string][]string (with
// escapeInvisible), a value at a time: the file lists every image once
// per label, and holding it whole, or the maps it encodes, was the peak
// of a large render's memory.
func labelsAPI(w io.Writer, keys []catalog.LabelKey) error {
	out := []byte{'{'}
	var refs []string
	for i, k := range keys {
		out = appendSep(out, i)
		out = append(appendJSONString(out, k.Key), ':', '{')
		for j, v := range k.Values {
			refs = refs[:0]
			for _, ip := range v.Images {
				refs = append(refs, ip.Repo.Name+"@"+ip.Digest)
			}
			// Catalog order is by repository, then newest first; the
			// API promises plain string order.
			slices.Sort(refs)
			out = appendSep(out, j)
			out = append(appendJSONString(out, v.Value), ':', '[')
			for n, ref := range refs {
				out = appendJSONString(appendSep(out, n), ref)
			}
			out = append(out, ']')
			// Each piece ends between JSON values, never inside a rune.
			if _, err := w.Write(escapeInvisible(out)); err != nil {
				return err
			}
			out = out[:0]
		}
		out = append(out, '}')
	}
	_, err := w.Write(escapeInvisible(append(out, '}')))
	return err
}

// appendSep appends the comma before element i of a JSON list.
func appendSep(b []byte, i int) []byte {
	if i > 0 {
		return append(b, ',')
	}
	return b
}

// appendJSONString appends s as encoding/json writes a string.
func appendJSONString(b []byte, s string) []byte {
	q, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always marshals
	}
	return append(b, q...)
}
