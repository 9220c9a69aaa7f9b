package render

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
	"github.com/regcat/regcat/snapshot"
)

// searchOutput writes search-index.js, the index the header's search box
// loads (assets/site.js) the first time it is focused. It is a script
// that assigns the global regcatSearch rather than JSON, because a page
// opened from file:// may load a script but not fetch a file. Its format
// is in docs/search.md.
var searchOutput = output{name: "search index", write: func(_ context.Context, r *renderer, s *sitefs.Dir, spawn spawner) error {
	return spawn(func(context.Context) error {
		return s.WriteStream(searchIndex, r.searchScript)
	})
}}

// maxSearchText is the most runes of a title, description or label value
// the search index keeps: a search matches their beginnings.
const maxSearchText = 80

// shortHex is how many hex digits the index keeps of a longer hex value
// (a commit, a digest): as many as `docker images` shows of an id.
const shortHex = 12

// longHex is a label value that is a long hex string, with an optional
// algorithm prefix: a full commit id or a digest.
var longHex = regexp.MustCompile(`^([a-z0-9]+:)?[0-9a-f]{13,}$`)

// searchScript writes search-index.js, the search index (docs/search.md),
// to out: "window.regcatSearch=" and one JSON object, which searchWriter
// writes a value at a time rather than building it (it is as large as
// the catalog). Its members, in order:
//   - v: the format's version, 1;
//   - s: the shared strings (see stringTable). Text fields elsewhere hold
//     a string, or the number of a string in s when the text is used more
//     than once;
//   - r: per repository in name order, its name, title, description and
//     number of images: four entries each;
//   - i: per image in repository order (each repository's images newest
//     first), its digest and its tags joined by spaces: two entries
//     each. A sha256 digest is its 32 bytes in unpadded standard base64;
//     another digest is written out;
//   - l: per label key in order, the key followed by each value and the
//     images that carry it: an image number when there is one, else the
//     first image number and the differences to each next.
func (r *renderer) searchScript(out io.Writer) error {
	text := newStringTable(r.cat)
	// The strings come first: number them as the rows below will.
	for _, rp := range r.cat.Repos {
		title, desc := repoTexts(rp)
		text.ref(title)
		text.ref(desc)
	}
	for _, k := range r.cat.Labels {
		for _, v := range k.Values {
			text.ref(searchValue(k.Key, v.Value))
		}
	}
	w := newSearchWriter(out)
	w.raw(`window.regcatSearch={"v":1,"s":[`)
	for i, str := range text.strings {
		w.sep(i).val(str)
	}
	w.raw(`],"r":[`)
	for i, rp := range r.cat.Repos {
		title, desc := repoTexts(rp)
		w.sep(i).val(rp.Name).sep(1).val(text.ref(title)).sep(1).val(text.ref(desc)).sep(1).val(len(rp.Images))
	}
	w.raw(`],"i":[`)
	first := make(map[*catalog.Image]int, len(r.cat.Images))
	for i, ip := range r.cat.Images {
		first[ip] = i
		w.sep(i).val(searchDigest(ip.Digest)).sep(1).val(strings.Join(ip.Tags, " "))
	}
	w.raw(`],"l":[`)
	for i, k := range r.cat.Labels {
		w.sep(i).raw("[").val(searchText(k.Key))
		for _, v := range k.Values {
			w.sep(1).val(text.ref(searchValue(k.Key, v.Value))).sep(1).val(imageRefs(v.Images, first))
		}
		w.raw("]")
	}
	w.raw("]};\n")
	return w.err
}

// repoTexts are the title and description the search index has of a
// repository: its default image's.
func repoTexts(rp *catalog.Repo) (title, desc string) {
	if di := rp.Default; di != nil {
		return di.Label(snapshot.KeyTitle), di.Label(snapshot.KeyDescription)
	}
	return "", ""
}

// searchWriter writes the search index's JSON to out as a json.Encoder
// with SetEscapeHTML(false) writes it ("<", ">" and "&" need no escaping
// in a script file of its own), a value at a time, keeping the first
// error.
type searchWriter struct {
	out     io.Writer
	scratch bytes.Buffer
	enc     *json.Encoder
	err     error
}

func newSearchWriter(out io.Writer) *searchWriter {
	w := &searchWriter{out: out}
	w.enc = json.NewEncoder(&w.scratch)
	w.enc.SetEscapeHTML(false)
	return w
}

// write writes b unless an error came before.
func (w *searchWriter) write(b []byte) {
	if w.err == nil {
		_, w.err = w.out.Write(b)
	}
}

// raw writes s as it is.
func (w *searchWriter) raw(s string) *searchWriter {
	if w.err == nil {
		_, w.err = io.WriteString(w.out, s)
	}
	return w
}

// sep writes the comma before element i of a list.
func (w *searchWriter) sep(i int) *searchWriter {
	if i > 0 {
		w.raw(",")
	}
	return w
}

// val writes v as the encoder does, without its newline.
func (w *searchWriter) val(v any) *searchWriter {
	w.scratch.Reset()
	if err := w.enc.Encode(v); err != nil && w.err == nil {
		w.err = fmt.Errorf("%s: %w", searchIndex, err)
	}
	w.write(bytes.TrimSuffix(w.scratch.Bytes(), []byte{'\n'}))
	return w
}

// imageRefs are the numbers of images in the index's i, delta-coded (see
// searchScript). images are in catalog order, so the numbers ascend.
func imageRefs(images []*catalog.Image, number map[*catalog.Image]int) any {
	if len(images) == 1 {
		return number[images[0]]
	}
	out := make([]int, len(images))
	prev := 0
	for i, ip := range images {
		out[i] = number[ip] - prev
		prev = number[ip]
	}
	return out
}

// searchDigest is a digest as the index's i holds it.
func searchDigest(d string) string {
	if hx, ok := strings.CutPrefix(d, "sha256:"); ok {
		if b, err := hex.DecodeString(hx); err == nil && len(b) == 32 {
			return base64.RawStdEncoding.EncodeToString(b)
		}
	}
	return d
}

// searchText is text as the index holds it: on one line, cleaned, cut
// at maxSearchText runes.
func searchText(s string) string { return oneLine(snapshot.Truncate(s, maxSearchText)) }

// searchValue is the value of key as the index holds it: a build date
// (the OCI created key or Label Schema's build-date) as its day
// ("2024-05-01"), a long hex value cut to its first shortHex digits and
// an ellipsis, any other cut at maxSearchText runes (see searchText).
// A search box matches what is kept; the label index has the rest.
func searchValue(key, v string) string {
	if key == snapshot.KeyCreated || key == snapshot.SchemaKeyBuildDate {
		if _, err := time.Parse(time.RFC3339, v); err == nil {
			return v[:len("2006-01-02")]
		}
	}
	if m := longHex.FindStringSubmatch(v); m != nil {
		return v[:len(m[1])+shortHex] + snapshot.Ellipsis
	}
	return searchText(v)
}

// stringTable numbers the texts of the index used more than once.
type stringTable struct {
	uses    map[string]int
	number  map[string]int
	strings []string
}

// newStringTable counts the uses of each text the index will hold:
// repository titles and descriptions, label values.
func newStringTable(cat *catalog.Catalog) *stringTable {
	t := &stringTable{uses: map[string]int{}, number: map[string]int{}}
	for _, rp := range cat.Repos {
		if di := rp.Default; di != nil {
			t.uses[searchText(di.Label(snapshot.KeyTitle))]++
			t.uses[searchText(di.Label(snapshot.KeyDescription))]++
		}
	}
	for _, k := range cat.Labels {
		for _, v := range k.Values {
			t.uses[searchValue(k.Key, v.Value)]++
		}
	}
	return t
}

// ref is s as the index holds it: the text itself when it is used once
// or is short, else its number in the table, added on first use.
func (t *stringTable) ref(s string) any {
	s = searchText(s)
	if t.uses[s] < 2 || len(s) < 4 {
		return s
	}
	n, ok := t.number[s]
	if !ok {
		n = len(t.strings)
		t.number[s] = n
		t.strings = append(t.strings, s)
	}
	return n
}
