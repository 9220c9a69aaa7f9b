package render

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// badgeTagsOf lists the valid tags a repository of snap should have
// badges for: those of Repository.Tags and of its failures.
func badgeTagsOf(r *snapshot.Repository) []string {
	var out []string
	for _, t := range r.Tags {
		if snapshot.ValidateTag(t.Name) == nil {
			out = append(out, t.Name)
		}
	}
	for _, f := range r.Failures {
		if f.Tag != "" && snapshot.ValidateTag(f.Tag) == nil {
			out = append(out, f.Tag)
		}
	}
	return out
}

// svgElements are the elements badge.SVG draws with.
var svgElements = map[string]bool{
	"svg": true, "title": true, "linearGradient": true, "stop": true, "clipPath": true,
	"rect": true, "g": true, "path": true, "text": true,
}

// checkSVG parses b as XML and checks it is a badge: one <svg> root of
// the SVG namespace with a width and height of 20, only badge elements,
// no event handler or link attributes. It returns the width.
func checkSVG(t *testing.T, name string, b []byte) int {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	width, depth, roots := 0, 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s: not well-formed XML: %v", name, err)
			return 0
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if el.Name.Local != "svg" || el.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("%s: root element %v", name, el.Name)
				}
			}
			depth++
			if !svgElements[el.Name.Local] {
				t.Errorf("%s: element <%s>", name, el.Name.Local)
			}
			for _, a := range el.Attr {
				k := strings.ToLower(a.Name.Local)
				if strings.HasPrefix(k, "on") || k == "href" || a.Name.Space != "" {
					t.Errorf("%s: attribute %v=%q", name, a.Name, a.Value)
				}
				if depth == 1 && k == "width" {
					width, _ = strconv.Atoi(a.Value)
				}
				if depth == 1 && k == "height" && a.Value != strconv.Itoa(badge.Height) {
					t.Errorf("%s: height %q", name, a.Value)
				}
			}
		case xml.EndElement:
			depth--
		case xml.ProcInst, xml.Directive:
			t.Errorf("%s: %T in a badge", name, el)
		}
	}
	if roots != 1 || width <= 0 {
		t.Errorf("%s: %d root elements, width %d", name, roots, width)
	}
	return width
}

// badgeSetEndpoint is the member kind of the badgeSetFile in dir of site,
// checked to be shields.io endpoint JSON.
func badgeSetEndpoint(t *testing.T, site map[string][]byte, dir, kind string) map[string]any {
	t.Helper()
	var set map[string]json.RawMessage
	if err := json.Unmarshal(site[dir+badgeSetFile], &set); err != nil {
		t.Errorf("%s: %v", dir+badgeSetFile, err)
		return nil
	}
	return checkEndpoint(t, dir+badgeSetFile+" "+kind, set[kind])
}

// checkEndpoint checks that b is shields.io endpoint JSON and returns it.
func checkEndpoint(t *testing.T, name string, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	if v["schemaVersion"] != 1.0 || v["label"] == "" || v["message"] == "" || v["color"] == "" || len(v) != 4 {
		t.Errorf("%s: not endpoint JSON: %s", name, b)
	}
	return v
}

// checkBadgeTree checks every file under badges/ of a rendered site, and
// that each repository and valid tag of snap has every kind. It returns
// the SVG widths by path.
func checkBadgeTree(t *testing.T, site map[string][]byte, snap *snapshot.Snapshot) map[string]int {
	t.Helper()
	widths := map[string]int{}
	for name, b := range site {
		switch {
		case !strings.HasPrefix(name, badgesDir):
		case strings.HasSuffix(name, ".svg"):
			widths[name] = checkSVG(t, name, b)
			dir, kind := path.Split(strings.TrimSuffix(name, ".svg"))
			if e := badgeSetEndpoint(t, site, dir, kind); e != nil && !bytes.Contains(b, []byte(`aria-label="`+xmlText(e["label"].(string)+": "+e["message"].(string))+`"`)) {
				t.Errorf("%s does not say what %s says", name, dir+badgeSetFile)
			}
		case path.Base(name) == badgeSetFile:
			var set map[string]json.RawMessage
			if err := json.Unmarshal(b, &set); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if len(set) != len(badgeKinds) {
				t.Errorf("%s: %d badges, want %d", name, len(set), len(badgeKinds))
			}
			for kind := range set {
				if _, ok := site[path.Dir(name)+"/"+kind+".svg"]; !ok {
					t.Errorf("%s: badge %s has no SVG beside it", name, kind)
				}
			}
		default:
			t.Errorf("%s: unexpected file", name)
		}
	}
	for _, r := range snap.Repositories {
		if snapshot.ValidateRepoName(r.Name) != nil {
			continue
		}
		dirs := []string{badgesDir + r.Name + "/"}
		for _, tag := range badgeTagsOf(&r) {
			dirs = append(dirs, badgesDir+r.Name+"/"+tag+"/")
		}
		for _, dir := range dirs {
			for _, f := range badgeFiles {
				if _, ok := site[dir+f]; !ok {
					t.Errorf("no %s", dir+f)
				}
			}
		}
	}
	return widths
}

// xmlText escapes s as badge.SVG escapes attribute text.
func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return strings.NewReplacer("&#34;", "&quot;", "&#39;", "&apos;").Replace(b.String())
}

// TestBadgeFiles renders the fixture and the hostile fixture and checks
// every badge: valid XML and endpoint JSON saying the same, every kind
// for every repository and tag, and each page's badge images sized as
// the SVG they show.
func TestBadgeFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		snap *snapshot.Snapshot
		cfg  Config
	}{
		{"fixture", fixture(), Config{TagBadges: TagBadgesAll}},
		{"hostile", hostileSnapshot(), Config{BaseURL: "https://example.test/(cat)/", BadgeStyle: badge.FlatSquare, TagBadges: TagBadgesAll}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := readTree(t, renderTo(t, tc.cfg, tc.snap))
			widths := checkBadgeTree(t, site, tc.snap)
			if len(widths) < 8*10 {
				t.Fatalf("only %d badges", len(widths))
			}
			imgs := 0
			for name, b := range site {
				if !strings.HasSuffix(name, ".html") {
					continue
				}
				for _, img := range badgeImgs(t, b) {
					imgs++
					p := path.Join(path.Dir(name), img.src)
					if w, ok := widths[p]; !ok || strconv.Itoa(w) != img.width || img.height != "20" {
						t.Errorf("%s: <img src=%q width=%q height=%q>, SVG is %d wide", name, img.src, img.width, img.height, w)
					}
				}
			}
			// A repository page and an image page per tagged image.
			if imgs < 8*10 {
				t.Errorf("pages show only %d badge images", imgs)
			}
		})
	}
}

type badgeImg struct{ src, width, height string }

// badgeImgs returns the images of the badges section of a page.
func badgeImgs(t *testing.T, page []byte) []badgeImg {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var out []badgeImg
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode {
			in = in || n.Data == "section" && attr(n, "class") == "badges"
			if in && n.Data == "img" {
				out = append(out, badgeImg{attr(n, "src"), attr(n, "width"), attr(n, "height")})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	return out
}

// TestBadgeSVGIsMinified checks that the site's SVG minifier would save
// nothing on a badge of plain text, and under 5% on one with escaped
// text (it writes some character references shorter), which is why
// badges are written as badge.SVG draws them.
func TestBadgeSVGIsMinified(t *testing.T) {
	site := readTree(t, renderFixture(t, Config{}))
	m := newMinifier()
	n := 0
	for name, b := range site {
		if !strings.HasPrefix(name, badgesDir) || !strings.HasSuffix(name, ".svg") {
			continue
		}
		n++
		min, err := m.Bytes(typeSVG, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plain := !bytes.Contains(b, []byte("&"))
		if plain && !bytes.Equal(min, b) || 20*(len(b)-len(min)) > len(b) {
			t.Errorf("%s: minifier makes %d bytes of %d", name, len(min), len(b))
		}
	}
	if n == 0 {
		t.Fatal("no badges")
	}
}

// TestBadgeKinds checks what each kind says.
func TestBadgeKinds(t *testing.T) {
	when := time.Date(2024, 5, 3, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)) // 2024-05-04 UTC
	labels := map[string]string{
		"org.opencontainers.image.version":  "2.0.1",
		"org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.licenses": "Apache-2.0 OR MIT",
	}
	img := single("img", []string{"v2"}, platform("amd64", "img", when, labels, nil, "a", "b"))
	schema := single("schema", []string{"old"}, platform("amd64", "schema", when, map[string]string{
		"org.label-schema.version": "1.9", "org.label-schema.vcs-ref": "release-1.9",
	}, nil, "a"))
	bare := single("bare", []string{"edge"}, platform("amd64", "bare", time.Time{}, nil, nil))
	bare.Created = time.Time{}
	arm := platform("arm64", "idx", when, nil, nil, "a", "b", "c", "d") // the largest
	s390 := platform("s390x", "idx", when, nil, nil, "a")
	amd := platform("amd64", "idx", when, nil, nil, "a", "b")
	index := func(ps ...snapshot.Platform) *snapshot.Image {
		im := &snapshot.Image{Digest: dg("index"), Kind: snapshot.KindIndex, Created: when, Platforms: ps}
		for _, p := range ps {
			im.Size += p.Size
		}
		return im
	}
	withAMD, withoutAMD := index(amd, arm, s390), index(arm, s390)
	many := index(amd, arm, s390, platform("ppc64le", "idx", when, nil, nil, "a"))
	artifact := &snapshot.Image{Digest: dg("artifact"), Kind: snapshot.KindArtifact, Size: 4321}
	signed := &snapshot.Image{Digest: dg("signed"), Kind: snapshot.KindImage, Referrers: []snapshot.Referrer{
		{Kind: snapshot.KindSignature, Format: snapshot.FormatNotation},
		{Kind: snapshot.KindSignature, Format: snapshot.FormatCosign},
		{Kind: snapshot.KindSignature, Format: snapshot.FormatCosign},
		{Kind: snapshot.KindSBOM, Format: snapshot.FormatCycloneDX},
	}, Attestations: []snapshot.Descriptor{{PredicateTypes: []string{"https://spdx.dev/Document", "https://slsa.dev/provenance/v0.2"}}}}
	unknownSBOM := &snapshot.Image{Digest: dg("sbom"), Referrers: []snapshot.Referrer{{Kind: snapshot.KindSBOM}}}

	tests := []struct {
		kind string
		im   *snapshot.Image
		tag  string
		want string // message; grey when "unknown", "not given", "no" or "none"
	}{
		{"version", &img, "v2", "2.0.1"},
		{"version", &schema, "old", "1.9"},
		{"version", &bare, "edge", "edge"},
		{"version", nil, "broken", "unknown"},
		{"size", &img, "", badge.HumanSize(img.Size)},
		{"size", withAMD, "", badge.HumanSize(amd.Size) + " (linux/amd64)"},
		{"size", withoutAMD, "", badge.HumanSize(arm.Size) + " (linux/arm64)"},
		{"size", artifact, "", "4.32 kB"},
		{"size", nil, "", "unknown"},
		{"layers", &img, "", "2"},
		{"layers", withoutAMD, "", "4 (linux/arm64)"},
		{"layers", artifact, "", "unknown"},
		{"image", &img, "", badge.HumanSize(img.Size) + " | 2 layers"},
		{"image", &schema, "", badge.HumanSize(schema.Size) + " | 1 layer"},
		{"image", withAMD, "", badge.HumanSize(amd.Size) + " | 2 layers (linux/amd64)"},
		{"image", artifact, "", "unknown"},
		{"created", &img, "", "2024-05-04"},
		{"created", &bare, "", "unknown"},
		{"commit", &img, "", "0123456"},
		{"commit", &schema, "", "release-1.9"},
		{"commit", &bare, "", "not given"},
		{"license", &img, "", "Apache-2.0 OR MIT"},
		{"license", &bare, "", "not given"},
		{"platforms", &img, "", "linux/amd64"},
		{"platforms", withAMD, "", "linux/amd64, linux/arm64, linux/s390x"},
		{"platforms", many, "", "4"},
		{"platforms", artifact, "", "unknown"},
		{"signed", signed, "", "cosign, notation"},
		{"signed", unknownSBOM, "", "no"},
		{"signed", nil, "", "unknown"},
		{"sbom", signed, "", "CycloneDX, SPDX"},
		{"sbom", unknownSBOM, "", "yes"},
		{"sbom", &img, "", "none"},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.want, func(t *testing.T) {
			var k *badgeKind
			for i := range badgeKinds {
				if badgeKinds[i].name == tc.kind {
					k = &badgeKinds[i]
				}
			}
			if k == nil {
				t.Fatalf("no kind %q", tc.kind)
			}
			b := k.draw(tc.im, tc.tag)
			color := badgeColor
			if tc.want == "unknown" || tc.want == "not given" || tc.want == "no" || tc.want == "none" {
				color = badge.DefaultColor
			}
			if want := (badge.Badge{Label: tc.kind, Message: tc.want, Color: color}); b != want {
				t.Errorf("got %+v, want %+v", b, want)
			}
		})
	}
}

// TestDefaultImage checks which image stands for a repository: its own
// badges, the header and pull command of its page and its row on the
// index all describe the image with the badge tag, which need not be the
// newest, while the index's "Newest image" and "Last built" columns are
// of the newest.
func TestDefaultImage(t *testing.T) {
	im := func(name string, d int, tags ...string) snapshot.Image {
		return single(name, tags, platform("amd64", name, day(d), map[string]string{
			"org.opencontainers.image.version": name,
			"org.opencontainers.image.title":   "title " + name,
		}, nil, name))
	}
	tests := []struct {
		name       string
		images     []snapshot.Image
		badgeTag   string
		want       string // version the badges show, and the image the header describes
		wantTag    string
		wantInNote string
		wantNewest string // the index's "Newest image" column
	}{
		{"latest, though not newest", []snapshot.Image{im("one", 1, "latest"), im("two", 2, "v2")}, "", "one", "latest", "tagged latest", "v2"},
		{"configured tag", []snapshot.Image{im("one", 1, "latest"), im("two", 2, "stable")}, "stable", "two", "stable", "tagged stable", "stable"},
		{"configured tag, though not newest", []snapshot.Image{im("one", 1, "stable"), im("two", 2, "latest")}, "stable", "one", "stable", "tagged stable", "latest"},
		{"newest tagged", []snapshot.Image{im("one", 1, "v1"), im("two", 2, "v2"), im("three", 3)}, "", "two", "v2", "no tag latest", ""},
		{"untagged only", []snapshot.Image{im("one", 1), im("two", 2)}, "", "two", "", "which has no tag", ""},
		{"no images", nil, "", "unknown", "", "no images yet", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := snapshot.Repository{Name: "ns/repo", Images: tc.images, Tags: tagsOf(tc.images...)}
			snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, []snapshot.Repository{r})
			if err != nil {
				t.Fatal(err)
			}
			site := readTree(t, renderTo(t, Config{BadgeTag: tc.badgeTag}, snap))
			var set struct{ Version struct{ Message string } }
			if err := json.Unmarshal(site["badges/ns/repo/"+badgeSetFile], &set); err != nil {
				t.Fatal(err)
			}
			if e := set.Version; e.Message != tc.want {
				t.Errorf("repository version badge says %q, want %q", e.Message, tc.want)
			}
			page := textOf(t, site[repoPage("ns/repo")])
			if !strings.Contains(page, tc.wantInNote) {
				t.Errorf("repository page does not say %q", tc.wantInNote)
			}
			checkBadgeTree(t, site, snap)

			wantTitle, wantSub := "ns/repo", ""
			if tc.want != "unknown" {
				wantTitle, wantSub = "title "+tc.want, "title "+tc.want
			}
			doc := parsePage(t, site[repoPage("ns/repo")])
			if got := nodeText(first(t, doc, "h1")); got != wantTitle {
				t.Errorf("repository page title %q, want %q", got, wantTitle)
			}
			var pulls []string
			for _, c := range elements(doc, "div", "cmd") {
				if strings.HasPrefix(nodeText(first(t, c, "span", "cmd-label")), "by ") {
					pulls = append(pulls, nodeText(first(t, c, "code")))
				}
			}
			var wantPulls []string
			if tc.wantTag != "" {
				wantPulls = []string{"docker pull r.example/ns/repo:" + tc.wantTag}
			}
			if !slices.Equal(pulls, wantPulls) {
				t.Errorf("repository page pull commands %q, want %q", pulls, wantPulls)
			}

			row := first(t, first(t, parsePage(t, site[indexPage]), "tbody"), "tr")
			var sub string
			if s := elements(first(t, row, "th"), "span", "sub"); len(s) > 0 {
				sub = nodeText(s[0])
			}
			if sub != wantSub {
				t.Errorf("index row title %q, want %q", sub, wantSub)
			}
			cells := elements(row, "td")
			if got := nodeText(cells[2]); got != tc.wantNewest {
				t.Errorf("index newest image %q, want %q", got, tc.wantNewest)
			}
			size := cells[len(cells)-1]
			var sizeTag string
			if s := elements(size, "span", "sub"); len(s) > 0 {
				sizeTag = nodeText(s[0])
			}
			if sizeTag != tc.wantTag {
				t.Errorf("index size is of %q, want %q", sizeTag, tc.wantTag)
			}
		})
	}
}

// TestBadgeCollisions renders repositories and tags whose badge paths
// clash and checks the documented winner: a repository's own badges over
// another's tags, the earlier name of two, and the case-folded path.
func TestBadgeCollisions(t *testing.T) {
	repo := func(name string, tags ...string) snapshot.Repository {
		var ims []snapshot.Image
		for i, tag := range tags {
			ims = append(ims, single(name+":"+tag, []string{tag}, platform("amd64", name+":"+tag, day(1+i),
				map[string]string{"org.opencontainers.image.version": name + ":" + tag}, nil, name+tag)))
		}
		return snapshot.Repository{Name: name, Images: ims, Tags: tagsOf(ims...)}
	}
	repos := []snapshot.Repository{
		repo("a", "v", "version.svg", "LATEST", "latest", "ok"),
		repo("a/v", "1"),
		repo("a/badges.json", "x"), // its directory is a's file
	}
	snap, err := snapshot.Build(snapshot.Index{Registry: "r.example"}, repos)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	out := filepath.Join(t.TempDir(), "site")
	st, err := Render(context.Background(), Config{Out: out, TagBadges: TagBadgesAll, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, snap)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if st.Skipped != 0 {
		t.Errorf("Skipped = %d: badge collisions leave out badges, not names", st.Skipped)
	}
	site := readTree(t, out)
	version := func(dir string) string {
		var set struct{ Version struct{ Message string } }
		if b, ok := site[dir+badgeSetFile]; ok {
			if err := json.Unmarshal(b, &set); err != nil {
				t.Fatal(err)
			}
			return set.Version.Message
		}
		return "(missing)"
	}
	for p, want := range map[string]string{
		"badges/a/":        "a:latest", // its own badges follow latest, though the tag's were left out
		"badges/a/v/":      "a/v:1",
		"badges/a/v/1/":    "a/v:1",
		"badges/a/LATEST/": "a:LATEST",
		"badges/a/ok/":     "a:ok",
	} {
		if got := version(p); got != want {
			t.Errorf("%s says %q, want %q", p, got, want)
		}
	}
	for _, gone := range []string{"badges/a/latest/", "badges/a/version.svg/", "badges/a/badges.json/"} {
		for name := range site {
			if strings.HasPrefix(name, gone) {
				t.Errorf("%s was written, want it left out", name)
			}
		}
	}
	for _, want := range []string{
		`repo=a tag=v dir=badges/a/v/`,
		`repo=a tag=version.svg dir=badges/a/version.svg/`,
		`repo=a tag=latest dir=badges/a/latest/`,
		`repo=a/badges.json dir=badges/a/badges.json/`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log does not hold %q:\n%s", want, logs.String())
		}
	}
	// Pages offer no snippet for badges that were left out: an image
	// whose tag's badges were left out shows none and links to its
	// repository's section, unless those were left out too (then the
	// page has no section).
	for _, r := range snap.Repositories {
		for _, im := range r.Images {
			p := imagePage(r.Name, im.Digest)
			imgs := badgeImgs(t, site[p])
			repoLeft := r.Name == "a/badges.json"
			tagLeft := r.Name == "a" && (im.Tags[0] == "v" || im.Tags[0] == "version.svg" || im.Tags[0] == "latest")
			if want := !repoLeft && !tagLeft; want != (len(imgs) > 0) {
				t.Errorf("%s:%s: page shows %d badges", r.Name, im.Tags[0], len(imgs))
			}
			links := bytes.Contains(site[p], []byte(`<a href="index.html#badges">`))
			if links != tagLeft {
				t.Errorf("%s:%s: page links to the repository's badges: %v", r.Name, im.Tags[0], links)
			}
			if repoLeft && bytes.Contains(site[p], []byte(`id=badges`)) {
				t.Errorf("%s:%s: page has a badges section", r.Name, im.Tags[0])
			}
			for _, img := range imgs {
				if _, ok := site[path.Join(path.Dir(p), img.src)]; !ok {
					t.Errorf("%s: badge %s is missing", p, img.src)
				}
			}
		}
	}
	if imgs := badgeImgs(t, site[repoPage("a/badges.json")]); len(imgs) != 0 {
		t.Errorf("page of a/badges.json shows %d badges of a", len(imgs))
	}
}

// TestBadgeSnippets checks the embedding snippets: absolute with a base
// URL, relative to the site root without.
func TestBadgeSnippets(t *testing.T) {
	for _, tc := range []struct {
		base string
		want []string
	}{
		{"", []string{
			"[![team-a/api version](badges/team-a/api/version.svg)](r/team-a~api/index.html)",
			`<a href="r/team-a~api/index.html"><img src="badges/team-a/api/version.svg" alt="team-a/api version"></a>`,
			".. image:: badges/team-a/api/version.svg\n   :alt: team-a/api version\n   :target: r/team-a~api/index.html",
		}},
		{"https://example.test/a(b)/", []string{
			"[![team-a/api version](https://example.test/a%28b%29/badges/team-a/api/version.svg)](https://example.test/a%28b%29/r/team-a~api/)",
			`<a href="https://example.test/a(b)/r/team-a~api/"><img src="https://example.test/a(b)/badges/team-a/api/version.svg" alt="team-a/api version"></a>`,
			".. image:: https://example.test/a(b)/badges/team-a/api/version.svg\n   :alt: team-a/api version\n   :target: https://example.test/a(b)/r/team-a~api/",
		}},
	} {
		t.Run(tc.base, func(t *testing.T) {
			page := readTree(t, renderFixture(t, Config{BaseURL: tc.base}))[repoPage("team-a/api")]
			copies := copyTexts(t, page)
			for _, w := range tc.want {
				if !copies[w] {
					t.Errorf("no copy button for %q", w)
				}
			}
		})
	}
}

// copyTexts returns what the copy buttons of a page copy, as site.js
// decides it: the button's data-copy value, or when that is empty the
// title, else the text, of the first <code> in the button's parent.
func copyTexts(t *testing.T, page []byte) map[string]bool {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "button" && hasAttr(n, "data-copy") {
			v := attr(n, "data-copy")
			if code := elements(n.Parent, "code"); v == "" && len(code) > 0 {
				v = cmp.Or(attr(code[0], "title"), rawText(code[0], nil))
			}
			out[v] = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// TestBadgeFilesShared checks that badge files with equal bytes are hard
// links to one file, and that a badge whose bytes change gets a new
// modification time even when an unchanged badge has its new bytes.
func TestBadgeFilesShared(t *testing.T) {
	// Every tag has badges, so that tags of the same image share them.
	out := renderFixture(t, Config{TagBadges: TagBadgesAll})
	infos := func() map[string]os.FileInfo {
		m := map[string]os.FileInfo{}
		filepath.WalkDir(filepath.Join(out, "badges"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(out, p)
				m[filepath.ToSlash(rel)] = fi
			}
			return err
		})
		return m
	}
	fis := infos()
	var distinct []os.FileInfo
	for _, fi := range fis {
		if !slices.ContainsFunc(distinct, func(d os.FileInfo) bool { return os.SameFile(d, fi) }) {
			distinct = append(distinct, fi)
		}
	}
	site := readTree(t, out)
	contents := map[string]bool{}
	for name := range fis {
		contents[string(site[name])] = true
	}
	if len(distinct) != len(contents) {
		t.Errorf("%d badge files with %d distinct contents are %d files on disk", len(fis), len(contents), len(distinct))
	}

	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for name := range fis {
		os.Chtimes(filepath.Join(out, name), old, old)
	}
	// v1.1.0 now says what v1.0.0, unchanged and written before it, says.
	snap := fixture()
	for i := range snap.Repositories {
		if r := &snap.Repositories[i]; r.Name == "team-a/api" {
			for j := range r.Images {
				if r.Images[j].Tags[0] == "v1.1.0" {
					r.Images[j].Platforms[0].Config.Labels["org.opencontainers.image.version"] = "1.0.0"
				}
			}
		}
	}
	if _, err := Render(context.Background(), Config{Out: out, TagBadges: TagBadgesAll}, snap); err != nil {
		t.Fatal(err)
	}
	changed, same := "badges/team-a/api/v1.1.0/version.svg", "badges/team-a/api/v1.0.0/version.svg"
	site = readTree(t, out)
	if !bytes.Equal(site[changed], site[same]) || !bytes.Contains(site[changed], []byte("1.0.0")) {
		t.Fatalf("%s does not say 1.0.0 as %s does", changed, same)
	}
	fis = infos()
	if fis[changed].ModTime().Equal(old) {
		t.Errorf("%s changed but kept its modification time", changed)
	}
	if !fis[same].ModTime().Equal(old) {
		t.Errorf("%s did not change but was rewritten", same)
	}
}
