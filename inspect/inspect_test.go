package inspect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/inspect"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the output")

// skopeoKeys are the keys of skopeo inspect's output (containers/skopeo
// cmd/skopeo/inspect.Output) in its order, without Tag (omitempty, schema
// 1 only) and the newest versions' Comment.
var skopeoKeys = []string{"Name", "Digest", "RepoTags", "Created", "DockerVersion", "Labels", "Architecture", "Os", "Layers", "LayersData", "Env"}

// config reads reg with its credentials and quick retries.
func config(reg *regtest.Registry) crawler.Config {
	return crawler.Config{
		Auth:    reg.Auth(),
		Timeout: 5 * time.Second,
		Retry:   reghttp.Config{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond},
	}
}

func populated(t *testing.T, reg *regtest.Registry, fx *regtest.Fixture) *regtest.Registry {
	t.Helper()
	if err := reg.Populate(context.Background(), fx); err != nil {
		t.Fatal(err)
	}
	return reg
}

func mustRef(t *testing.T, s string) inspect.Ref {
	t.Helper()
	r, err := inspect.ParseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// live describes image (a reference without registry) on reg and
// returns the JSON with reg's host written REGISTRY, and the requests.
func live(t *testing.T, reg *regtest.Registry, image string, opts inspect.Options) ([]byte, *inspect.Result) {
	t.Helper()
	reg.Counter.Reset()
	res, _, err := inspect.Live(context.Background(), config(reg), mustRef(t, reg.Host+"/"+image), opts)
	if err != nil {
		t.Fatalf("inspect %s: %v", image, err)
	}
	b, err := res.Output.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte(reg.Host), []byte("REGISTRY")), res
}

// topKeys returns the top-level keys of a JSON object in order.
func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestGolden compares the output for the standard fixture's images with
// golden files written from skopeo's documented output and checked by
// hand, on both registries (the distribution registry with token auth).
func TestGolden(t *testing.T) {
	fx := regtest.Standard(t).WithoutSchema1()
	regs := map[string]*regtest.Registry{
		"ggcr":         populated(t, regtest.NewGGCR(t), fx),
		"distribution": populated(t, regtest.NewDistribution(t, regtest.WithTokenAuth()), fx),
	}
	cases := []struct {
		golden, image string
		opts          inspect.Options
	}{
		{"base-os.json", "base/os:3.19", inspect.Options{}},
		{"base-os-tags.json", "base/os:latest", inspect.Options{Tags: true}},
		{"api-amd64.json", "team-a/api:v1.9", inspect.Options{}},
		{"api-arm-v7.json", "team-a/api:v1.9", inspect.Options{Platform: inspect.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
		{"worker.json", "team-a/worker:2.0", inspect.Options{}},
	}
	for _, c := range cases {
		for _, regName := range []string{"ggcr", "distribution"} {
			t.Run(c.golden+"/"+regName, func(t *testing.T) {
				got, _ := live(t, regs[regName], c.image, c.opts)
				if keys := topKeys(t, got); !slices.Equal(keys[:len(skopeoKeys)], skopeoKeys) {
					t.Errorf("keys %v, want skopeo's %v first", keys, skopeoKeys)
				}
				path := filepath.Join("testdata", c.golden)
				if *update && regName == "ggcr" {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("output differs from %s:\n%s", path, got)
				}
			})
		}
	}
}

// TestValues checks the output against the fixture's facts, independently
// of the golden files.
func TestValues(t *testing.T) {
	fx := regtest.Standard(t).WithoutSchema1()
	reg := populated(t, regtest.NewGGCR(t), fx)
	_, res := live(t, reg, "team-a/api:v1.9", inspect.Options{})
	o := res.Output
	tag, _ := fx.Tag("team-a/api", "v1.9")
	if o.Digest != tag.Digest.String() {
		t.Errorf("Digest %s, want the index's %s", o.Digest, tag.Digest)
	}
	if o.Name != reg.Host+"/team-a/api" || o.Os != "linux" || o.Architecture != "amd64" || o.Kind != snapshot.KindIndex {
		t.Errorf("Name %q Os %q Architecture %q Kind %q", o.Name, o.Os, o.Architecture, o.Kind)
	}
	im, err := tag.Index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var amd64 v1.Hash
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.Architecture == "amd64" {
			amd64 = m.Digest
		}
	}
	if o.PlatformDigest != amd64.String() {
		t.Errorf("PlatformDigest %s, want the amd64 entry %s", o.PlatformDigest, amd64)
	}
	child, err := tag.Index.Image(amd64)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := child.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !maps(o.Labels, cf.Config.Labels) || !slices.Equal(o.Env, cf.Config.Env) {
		t.Errorf("Labels %v Env %v, want %v %v", o.Labels, o.Env, cf.Config.Labels, cf.Config.Env)
	}
	if o.Created == nil || !o.Created.Equal(cf.Created.Time) {
		t.Errorf("Created %v, want %v", o.Created, cf.Created)
	}
	ls, err := child.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Layers) != len(ls) || len(o.LayersData) != len(ls) {
		t.Fatalf("%d layers, want %d", len(o.Layers), len(ls))
	}
	for i, l := range ls {
		d, _ := l.Digest()
		size, _ := l.Size()
		mt, _ := l.MediaType()
		if o.Layers[i] != d.String() || o.LayersData[i].Digest != d.String() || o.LayersData[i].Size != size || o.LayersData[i].MIMEType != string(mt) {
			t.Errorf("layer %d: %s %+v, want %s %d %s", i, o.Layers[i], o.LayersData[i], d, size, mt)
		}
	}
	if want := []string{"linux/amd64", "linux/arm/v7", "linux/arm64/v8"}; !slices.Equal(o.Platforms, want) {
		t.Errorf("Platforms %v, want %v", o.Platforms, want)
	}
	if len(o.RepoTags) != 0 || o.RepoTags == nil {
		t.Errorf("RepoTags %v, want [] without --tags", o.RepoTags)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestPlatformChoice picks platforms of an index, live and from a
// snapshot, and refuses one the index lacks.
func TestPlatformChoice(t *testing.T) {
	fx := regtest.Standard(t).WithoutSchema1()
	reg := populated(t, regtest.NewGGCR(t), fx)
	dir := crawlInto(t, reg)
	cases := []struct {
		platform, wantArch, wantVariant string
	}{
		{"linux/amd64", "amd64", ""},
		{"linux/arm64", "arm64", "v8"},
		{"linux/arm64/v8", "arm64", "v8"},
		{"linux/arm/v7", "arm", "v7"},
		{"linux/arm", "arm", "v7"},
		{"linux/arm/v6", "", ""},
		{"linux/s390x", "", ""},
		{"windows/amd64", "", ""},
	}
	for _, c := range cases {
		t.Run(c.platform, func(t *testing.T) {
			p, err := inspect.ParsePlatform(c.platform)
			if err != nil {
				t.Fatal(err)
			}
			ref := mustRef(t, reg.Host+"/team-a/api:v1.10")
			res, _, lerr := inspect.Live(context.Background(), config(reg), ref, inspect.Options{Platform: p})
			off, oerr := inspect.FromSnapshot(dir, ref, inspect.Options{Platform: p})
			if c.wantArch == "" {
				if !errors.Is(lerr, crawler.ErrNoPlatform) || !errors.Is(oerr, crawler.ErrNoPlatform) {
					t.Fatalf("errors %v / %v, want ErrNoPlatform", lerr, oerr)
				}
				return
			}
			if lerr != nil || oerr != nil {
				t.Fatal(lerr, oerr)
			}
			for _, o := range []*inspect.Output{&res.Output, off} {
				if o.Architecture != c.wantArch || o.Variant != c.wantVariant || o.Os != "linux" {
					t.Errorf("%s/%s/%s, want linux/%s/%s", o.Os, o.Architecture, o.Variant, c.wantArch, c.wantVariant)
				}
			}
			if res.Output.PlatformDigest != off.PlatformDigest {
				t.Errorf("live chose %s, snapshot %s", res.Output.PlatformDigest, off.PlatformDigest)
			}
		})
	}
}

// crawlInto crawls reg into a new snapshot directory.
func crawlInto(t *testing.T, reg *regtest.Registry) string {
	t.Helper()
	cfg := config(reg)
	cfg.Registry = reg.Host
	snap, _, err := crawler.Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snapshot")
	if err := snapshot.Write(context.Background(), dir, snap); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRequests counts the requests of one inspect: the auth handshake,
// the manifest and the config, one more for an index's platform
// manifest, and the token server once with bearer auth.
func TestRequests(t *testing.T) {
	fx := regtest.Standard(t).WithoutSchema1()
	cases := []struct {
		name         string
		reg          *regtest.Registry
		single, idx  int // most registry requests, token server excluded
		token        int // token server requests
		singleRoutes string
	}{
		{"ggcr", populated(t, regtest.NewGGCR(t), fx), 3, 4, 0, "total=3 base=1 manifest-get=1 blob-get=1"},
		{"distribution-basic", populated(t, regtest.NewDistribution(t, regtest.WithBasicAuth()), fx), 3, 4, 0, "total=3 base=1 manifest-get=1 blob-get=1"},
		{"distribution-token", populated(t, regtest.NewDistribution(t, regtest.WithTokenAuth()), fx), 3, 4, 1, "total=4 base=1 manifest-get=1 blob-get=1 token=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, ic := range []struct {
				image string
				most  int
				opts  inspect.Options
			}{
				{"base/os:3.19", c.single, inspect.Options{}},
				{"team-a/api:v1.9", c.idx, inspect.Options{}},
				{"team-a/api@" + digestOf(t, fx, "team-a/api", "v1.9"), c.idx, inspect.Options{}},
				{"team-a/api:v1.9", 2, inspect.Options{ManifestOnly: true}},
				{"base/os:3.19", c.single + 1, inspect.Options{Tags: true}},
			} {
				live(t, c.reg, ic.image, ic.opts)
				n := c.reg.Counter.Total() - c.reg.Counter.Get(regtest.RouteToken)
				t.Logf("%s %+v: %s", ic.image, ic.opts, c.reg.Counter)
				if n > ic.most || c.reg.Counter.Get(regtest.RouteToken) > c.token {
					t.Errorf("%s %+v: %s, want at most %d registry requests and %d token requests", ic.image, ic.opts, c.reg.Counter, ic.most, c.token)
				}
			}
			live(t, c.reg, "base/os:3.19", inspect.Options{})
			if got := c.reg.Counter.String(); got != c.singleRoutes {
				t.Errorf("single image: %s, want %s", got, c.singleRoutes)
			}
		})
	}
}

func digestOf(t *testing.T, fx *regtest.Fixture, repo, tag string) string {
	t.Helper()
	tg, ok := fx.Tag(repo, tag)
	if !ok {
		t.Fatalf("no %s:%s", repo, tag)
	}
	return tg.Digest.String()
}

// TestSnapshot answers from a snapshot with no request at all, with the
// live answer, and says clearly what it lacks.
func TestSnapshot(t *testing.T) {
	fx := regtest.Standard(t).WithoutSchema1()
	reg := populated(t, regtest.NewDistribution(t, regtest.WithTokenAuth()), fx)
	dir := crawlInto(t, reg)
	for _, image := range []string{"base/os:3.19", "base/os:latest", "team-a/api:v1.9", "team-a/worker:2.0.0", "a/b/c/d:1.0", "team-a/tools/cli@" + digestOf(t, fx, "team-a/tools/cli", "1.1")} {
		for _, tags := range []bool{false, true} {
			opts := inspect.Options{Tags: tags}
			want, _ := live(t, reg, image, opts)
			reg.Counter.Reset()
			for _, ref := range []string{image, reg.Host + "/" + image} {
				o, err := inspect.FromSnapshot(dir, mustRef(t, ref), opts)
				if err != nil {
					t.Fatalf("%s: %v", ref, err)
				}
				got, err := o.JSON()
				if err != nil {
					t.Fatal(err)
				}
				got = bytes.ReplaceAll(got, []byte(reg.Host), []byte("REGISTRY"))
				if !bytes.Equal(got, want) {
					t.Errorf("%s tags=%v from the snapshot:\n%s\nlive:\n%s", ref, tags, got, want)
				}
			}
			if n := reg.Counter.Total(); n != 0 {
				t.Errorf("%d requests from the snapshot: %s", n, reg.Counter)
			}
		}
	}
	for _, missing := range []string{"nope/nope:1", "base/os:9.99", "base/os@sha256:" + strings.Repeat("0", 64), "other.example.com/base/os:3.19"} {
		_, err := inspect.FromSnapshot(dir, mustRef(t, missing), inspect.Options{})
		if !errors.Is(err, inspect.ErrNotInSnapshot) {
			t.Errorf("%s: error %v, want ErrNotInSnapshot", missing, err)
		}
	}
}

// TestHostileLabels pushes an image whose labels hold terminal escapes,
// newlines, bidi overrides and invalid UTF-8, and checks that --labels
// prints one escaped line per label.
func TestHostileLabels(t *testing.T) {
	labels := map[string]string{
		"x.esc":     "\x1b[31mred\x1b[0m",
		"x.newline": "a\nx.fake=injected",
		"x.bidi":    "abc\u202edcba",
		"x.bad":     "ok\xffok", // JSON encoding at the push makes it U+FFFD
		"x.back":    `a\b`,
		"x.eq=key":  "v=w",
		"x.fine":    "héllo wörld <b>&",
		"y.other":   "not printed",
	}
	//lint:ignore SA1019 the classic builder's docker_version is what this test needs, and only this field writes it
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: "linux", Architecture: "amd64", DockerVersion: "24.0.7", Config: v1.Config{Labels: labels}})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	fx := &regtest.Fixture{Repos: []regtest.Repo{{Name: "hostile/labels", Tags: []regtest.Tag{{Name: "1", Image: img, Digest: d, MediaType: types.OCIManifestSchema1}}}}}
	reg := populated(t, regtest.NewGGCR(t), fx)
	_, res := live(t, reg, "hostile/labels:1", inspect.Options{})
	got := inspect.LabelLines(res.Output.Labels, "x.")
	want := `x.back=a\\b
x.bad=ok�ok
x.bidi=abc\u202edcba
x.eq\x3dkey=v=w
x.esc=\x1b[31mred\x1b[0m
x.fine=héllo wörld <b>&
x.newline=a\x0ax.fake=injected
`
	if got != want {
		t.Errorf("label lines:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\u202e' }) {
			t.Errorf("unescaped control character in %q", line)
		}
	}
	if res.Output.Created != nil {
		t.Errorf("Created %v for an OCI image without created, want null as skopeo", res.Output.Created)
	}
	// The snapshot keeps DockerVersion (schema version 3) and the labels:
	// the same answer offline.
	if res.Output.DockerVersion != "24.0.7" {
		t.Errorf("DockerVersion %q, want the config's docker_version", res.Output.DockerVersion)
	}
	off, err := inspect.FromSnapshot(crawlInto(t, reg), mustRef(t, "hostile/labels:1"), inspect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := res.Output.JSON()
	b, _ := off.JSON()
	if !bytes.Equal(a, b) {
		t.Errorf("from the snapshot:\n%s\nlive:\n%s", b, a)
	}
}

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\there", `tab\x09here`},
		{"del\x7f", `del\x7f`},
		{"c1\u0085", `c1\u0085`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"line\u2028sep", `line\u2028sep`},
		{"日本語", "日本語"},
		{"\xc3", `\xc3`},
	} {
		if got := inspect.Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseRef(t *testing.T) {
	d := "sha256:" + strings.Repeat("a", 64)
	for _, c := range []struct {
		in   string
		want inspect.Ref
		bad  bool
	}{
		{in: "team-a/api", want: inspect.Ref{Repo: "team-a/api", Tag: "latest"}},
		{in: "team-a/api:v1", want: inspect.Ref{Repo: "team-a/api", Tag: "v1"}},
		{in: "localhost:5000/api:v1", want: inspect.Ref{Registry: "localhost:5000", Repo: "api", Tag: "v1"}},
		{in: "localhost/api", want: inspect.Ref{Registry: "localhost", Repo: "api", Tag: "latest"}},
		{in: "Reg.Example.com/a/b@" + d, want: inspect.Ref{Registry: "reg.example.com", Repo: "a/b", Digest: d}},
		{in: "reg.example.com/a:t@" + d, want: inspect.Ref{Registry: "reg.example.com", Repo: "a", Tag: "t", Digest: d}},
		{in: "", bad: true},
		{in: "a/../b", bad: true},
		{in: "a@sha256:zz", bad: true},
		{in: "a:bad tag", bad: true},
		{in: "UPPER/case", bad: true},
	} {
		got, err := inspect.ParseRef(c.in)
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v, bad %v", c.in, got, err, c.want, c.bad)
		}
	}
}
