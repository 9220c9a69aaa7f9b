package snapshot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/crawler/reghttp"
	"github.com/regcat/regcat/examples"
	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// The published JSON Schemas of the snapshot format, relative to this
// package.
const (
	indexSchemaFile = "../docs/snapshot-index.schema.json"
	repoSchemaFile  = "../docs/snapshot-repository.schema.json"
)

// schemas holds the two compiled schemas and their raw JSON.
type schemas struct {
	index, repo       *jsonschema.Schema
	indexDoc, repoDoc map[string]any
}

// loadSchemas compiles both schema files under their $id, with format
// assertions on (date-time is checked, not just annotated). Compiling also
// validates each file against the draft 2020-12 metaschema.
func loadSchemas(t *testing.T) *schemas {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	var ids [2]string
	var docs [2]map[string]any
	for i, name := range []string{indexSchemaFile, repoSchemaFile} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m, _ := doc.(map[string]any)
		id, _ := m["$id"].(string)
		if id == "" {
			t.Fatalf("%s has no $id", name)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids[i], docs[i] = id, m
	}
	s := &schemas{indexDoc: docs[0], repoDoc: docs[1]}
	var err error
	if s.index, err = c.Compile(ids[0]); err != nil {
		t.Fatalf("compile %s: %v", indexSchemaFile, err)
	}
	if s.repo, err = c.Compile(ids[1]); err != nil {
		t.Fatalf("compile %s: %v", repoSchemaFile, err)
	}
	return s
}

// validate checks the JSON b against sch.
func validate(sch *jsonschema.Schema, b []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// validateDir validates every file of the snapshot directory dir: index.json
// against the index schema, repos/*.json against the repository schema,
// and fails on any other file.
func validateDir(t *testing.T, s *schemas, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var sch *jsonschema.Schema
		switch {
		case rel == snapshot.IndexFile:
			sch = s.index
		case strings.HasPrefix(rel, "repos/") && strings.HasSuffix(rel, ".json"):
			sch = s.repo
		default:
			t.Errorf("%s: not a snapshot file", rel)
			return nil
		}
		if err := validate(sch, b); err != nil {
			t.Errorf("%s does not match its schema: %v", rel, err)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("validated %d files; want index.json and at least one repository", n)
	}
}

// crawlInto crawls reg and writes the snapshot to a new directory; tune,
// when given, changes the crawl's config first.
func crawlInto(t *testing.T, reg *regtest.Registry, tune ...func(*crawler.Config)) (*snapshot.Snapshot, string) {
	t.Helper()
	cfg := crawler.Config{
		Registry: reg.Host,
		Auth:     reg.Auth(),
		Timeout:  30 * time.Second,
		Retry:    reghttp.Config{BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second},
		Logger:   slog.New(slog.DiscardHandler),
	}
	for _, f := range tune {
		f(&cfg)
	}
	snap, _, err := crawler.Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	if err := snapshot.Write(context.Background(), dir, snap); err != nil {
		t.Fatal(err)
	}
	return snap, dir
}

// features names what a snapshot holds, so that the test can prove every
// kind of record was validated: image kinds, attestations, subjects,
// failures by op, skipped names, and so on.
func features(s *snapshot.Snapshot) map[string]bool {
	f := map[string]bool{}
	for _, fl := range s.Index.Failures {
		f["index failure"] = true
		f["failure "+fl.Op] = true
	}
	if len(s.Index.Skipped) > 0 {
		f["index skipped"] = true
	}
	if s.Index.Truncated != nil {
		f["index truncated"] = true
	}
	for _, sum := range s.Index.Repositories {
		if !sum.LastCreated.IsZero() && sum.Title != "" && sum.Description != "" {
			f["described summary"] = true
		}
		if sum.Failures > 0 {
			f["summary with failures"] = true
		}
	}
	for _, r := range s.Repositories {
		if len(r.Skipped) > 0 {
			f["tag skipped"] = true
		}
		if r.Truncated != nil {
			f["tags truncated"] = true
		}
		for _, fl := range r.Failures {
			f["failure "+fl.Op] = true
			if fl.Status != 0 && fl.Digest != "" {
				f["failure with status and digest"] = true
			}
		}
		for _, im := range r.Images {
			f["kind "+string(im.Kind)] = true
			if len(im.Attestations) > 0 {
				f["attestations"] = true
			}
			if im.Subject != "" {
				f["subject"] = true
			}
			for _, l := range im.Layers {
				f["artifact layers"] = true
				if len(l.Annotations) > 0 {
					f["layer annotations"] = true
				}
			}
			if len(im.Annotations) > 0 {
				f["image annotations"] = true
			}
			for _, p := range im.Platforms {
				if p.Variant != "" {
					f["variant"] = true
				}
				c := p.Config
				if len(c.History) > 0 && len(c.DiffIDs) > 0 && len(c.Labels) > 0 && !c.Created.IsZero() {
					f["full config"] = true
				}
				if len(c.ExposedPorts) > 0 {
					f["exposed ports"] = true
				}
			}
		}
	}
	return f
}

// faultyStandard serves the Standard fixture behind faults that put every
// kind of failure and skipped record into the snapshot: a catalog page
// that fails (404), invalid repository names and tags, a tag list, a
// manifest and config blobs answering 404.
func faultyStandard(t *testing.T) *regtest.Registry {
	t.Helper()
	const failingPage = "regcat-schema-page"
	notFound := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"errors":[{"code":"NAME_UNKNOWN","message":"not here"}]}`))
	}
	// appendNames passes r to next and appends extra to the JSON list
	// field of its answer.
	appendNames := func(w http.ResponseWriter, r *http.Request, next http.Handler, field string, extra ...string) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var page map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		list, _ := page[field].([]any)
		for _, e := range extra {
			list = append(list, e)
		}
		page[field] = list
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		if field == "repositories" {
			w.Header().Set("Link", `</v2/_catalog?n=1000&`+failingPage+`=2>; rel="next"`)
		}
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(page)
	}
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method != http.MethodGet:
				next.ServeHTTP(w, r)
			case r.URL.Path == "/v2/_catalog" && r.URL.Query().Has(failingPage):
				notFound(w)
			case r.URL.Path == "/v2/_catalog":
				appendNames(w, r, next, "repositories", "UPPER/case", "../../etc")
			case r.URL.Path == "/v2/base/os/tags/list":
				appendNames(w, r, next, "tags", ".hidden", "a/b")
			case r.URL.Path == "/v2/team-a/worker/manifests/2.0":
				notFound(w)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
	reg := regtest.NewGGCR(t, regtest.WithWrap(wrap))
	if err := reg.Populate(context.Background(), regtest.Standard(t)); err != nil {
		t.Fatal(err)
	}
	reg.Faults.Set(
		regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusNotFound, Routes: []regtest.Route{regtest.RouteBlobGet}, Repo: "a/b/c/d", Times: -1},
		regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusNotFound, Routes: []regtest.Route{regtest.RouteTags}, Repo: "team-a/tools/cli", Times: -1},
	)
	return reg
}

// TestSchemaValidatesRealSnapshots crawls real in-process registries (the
// regtest Standard fixture behind faults, and the examples demo catalog),
// writes each snapshot and validates every file against the published
// schemas. Together the snapshots hold every kind of record, which the
// test checks, so a field the Go types write but the schemas do not know
// (they forbid additional properties) fails here.
func TestSchemaValidatesRealSnapshots(t *testing.T) {
	s := loadSchemas(t)
	seen := map[string]bool{}
	t.Run("standard", func(t *testing.T) {
		snap, dir := crawlInto(t, faultyStandard(t))
		validateDir(t, s, dir)
		for k := range features(snap) {
			seen[k] = true
		}
	})
	t.Run("capped", func(t *testing.T) {
		reg := regtest.NewGGCR(t)
		if err := reg.Populate(context.Background(), regtest.Standard(t)); err != nil {
			t.Fatal(err)
		}
		snap, dir := crawlInto(t, reg, func(c *crawler.Config) { c.MaxTags, c.MaxRepos = 2, 4 })
		validateDir(t, s, dir)
		for k := range features(snap) {
			seen[k] = true
		}
	})
	t.Run("examples", func(t *testing.T) {
		reg := regtest.NewGGCR(t)
		if err := examples.Populate(context.Background(), reg.Host); err != nil {
			t.Fatal(err)
		}
		snap, dir := crawlInto(t, reg)
		validateDir(t, s, dir)
		for k := range features(snap) {
			seen[k] = true
		}
	})
	want := []string{
		"kind image", "kind index", "kind artifact", "kind schema1",
		"attestations", "subject", "artifact layers", "image annotations", "layer annotations",
		"variant", "full config", "exposed ports", "described summary", "summary with failures",
		"index failure", "index skipped", "tag skipped", "index truncated", "tags truncated",
		"failure catalog", "failure tags", "failure manifest", "failure config", "failure with status and digest",
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("no snapshot held %q: the schemas were not tested against it", w)
		}
	}
}

// TestSchemaRejects proves the schemas can fail: each case changes one
// thing of a valid document and names the keyword that must reject it.
func TestSchemaRejects(t *testing.T) {
	s := loadSchemas(t)
	const (
		d1     = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
		d2     = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
		mtOCI  = "application/vnd.oci.image.manifest.v1+json"
		mtConf = "application/vnd.oci.image.config.v1+json"
	)
	validRepo := `{
  "schemaVersion": 3, "name": "team-a/api",
  "tags": [{"name": "v1", "digest": "` + d1 + `"}],
  "images": [{
    "digest": "` + d1 + `", "mediaType": "` + mtOCI + `", "kind": "image", "tags": ["v1"],
    "created": "2024-05-02T10:00:00.5Z", "size": 30,
    "platforms": [{
      "os": "linux", "architecture": "amd64", "digest": "` + d1 + `", "mediaType": "` + mtOCI + `", "size": 30,
      "config": {"digest": "` + d2 + `", "created": "2024-05-02T10:00:00.5Z", "diffIDs": ["` + d2 + `"],
        "history": [{"created": "2024-05-02T10:00:00Z", "createdBy": "RUN true", "emptyLayer": true}]},
      "layers": [{"digest": "` + d2 + `", "mediaType": "` + mtConf + `", "size": 10}]
    }]
  }],
  "failures": [{"repo": "team-a/api", "tag": "v2", "digest": "` + d2 + `", "op": "config", "status": 404, "error": "not found"}],
  "skipped": [{"name": ".hidden", "reason": "invalid tag"}],
  "truncated": {"limit": 1, "listed": 100}
}`
	validIndex := `{
  "schemaVersion": 3, "registry": "localhost:5000", "crawledAt": "2025-01-01T00:00:00Z",
  "repositories": [{"name": "team-a/api", "path": "repos/team-a~api.json", "tags": 1, "images": 1,
    "defaultTag": "v1", "lastCreated": "2024-05-02T10:00:00.5Z", "size": 30, "failures": 1}],
  "failures": [{"op": "catalog", "status": 500, "error": "catalog page 2"}],
  "skipped": [{"name": "UPPER/case", "reason": "invalid name"}],
  "truncated": {"limit": 1, "listed": 1}
}`
	image := func(m map[string]any) map[string]any { return m["images"].([]any)[0].(map[string]any) }
	platform := func(m map[string]any) map[string]any {
		return image(m)["platforms"].([]any)[0].(map[string]any)
	}
	summary := func(m map[string]any) map[string]any { return m["repositories"].([]any)[0].(map[string]any) }
	tests := []struct {
		name   string
		index  bool // the case edits validIndex, else validRepo
		edit   func(m map[string]any)
		reject string // the keyword that must fail; "" for a valid document
	}{
		{"repository valid", false, func(map[string]any) {}, ""},
		{"index valid", true, func(map[string]any) {}, ""},
		{"sha512 digest valid", false, func(m map[string]any) { image(m)["subject"] = "sha512:" + strings.Repeat("ab", 64) }, ""},

		{"unknown field", false, func(m map[string]any) { m["evil"] = 1 }, "additionalProperties"},
		{"unknown field in config", false, func(m map[string]any) { platform(m)["config"].(map[string]any)["Labels"] = map[string]any{} }, "additionalProperties"},
		{"unknown field in index entry", true, func(m map[string]any) { summary(m)["stars"] = 5 }, "additionalProperties"},
		{"label value not a string", false, func(m map[string]any) { image(m)["annotations"] = map[string]any{"a": 1} }, "type"},

		{"upper-case digest", false, func(m map[string]any) { m["tags"].([]any)[0].(map[string]any)["digest"] = strings.ToUpper(d1) }, "pattern"},
		{"short layer digest", false, func(m map[string]any) {
			platform(m)["layers"].([]any)[0].(map[string]any)["digest"] = "sha256:abc"
		}, "pattern"},
		{"md5 digest", false, func(m map[string]any) { image(m)["digest"] = "md5:" + strings.Repeat("a", 32) }, "pattern"},

		{"unknown kind", false, func(m map[string]any) { image(m)["kind"] = "helm" }, "enum"},
		{"unknown failure op", true, func(m map[string]any) { m["failures"].([]any)[0].(map[string]any)["op"] = "blob" }, "enum"},
		{"image with two platforms", false, func(m map[string]any) {
			image(m)["platforms"] = append(image(m)["platforms"].([]any), platform(m))
		}, "maxItems"},

		{"missing images", false, func(m map[string]any) { delete(m, "images") }, "required"},
		{"missing platform config", false, func(m map[string]any) { delete(platform(m), "config") }, "required"},
		{"missing crawledAt", true, func(m map[string]any) { delete(m, "crawledAt") }, "required"},
		{"missing failure error", true, func(m map[string]any) { delete(m["failures"].([]any)[0].(map[string]any), "error") }, "required"},

		{"truncation without listed", false, func(m map[string]any) { delete(m["truncated"].(map[string]any), "listed") }, "required"},
		{"negative truncation limit", true, func(m map[string]any) { m["truncated"].(map[string]any)["limit"] = -1 }, "minimum"},
		{"unknown field in truncation", true, func(m map[string]any) { m["truncated"].(map[string]any)["more"] = true }, "additionalProperties"},
		{"truncated not an object", false, func(m map[string]any) { m["truncated"] = true }, "type"},

		{"schema version 1", false, func(m map[string]any) { m["schemaVersion"] = 1 }, "const"},
		{"index schema version 0", true, func(m map[string]any) { m["schemaVersion"] = 0 }, "const"},

		{"created not a date-time", false, func(m map[string]any) { image(m)["created"] = "2024-13-02T10:00:00Z" }, "format"},
		{"crawledAt not a date-time", true, func(m map[string]any) { m["crawledAt"] = "2025-01-01 00:00:00Z" }, "format"},
		{"time not in UTC", false, func(m map[string]any) { image(m)["created"] = "2024-05-02T12:00:00+02:00" }, "pattern"},

		{"tags null", false, func(m map[string]any) { m["tags"] = nil }, "type"},
		{"negative size", false, func(m map[string]any) { platform(m)["size"] = -1 }, "minimum"},
		{"invalid repository name", false, func(m map[string]any) { m["name"] = "../etc" }, "pattern"},
		{"invalid tag", false, func(m map[string]any) { image(m)["tags"] = []any{".hidden"} }, "pattern"},
		{"escaping path", true, func(m map[string]any) { summary(m)["path"] = "repos/../../etc/passwd.json" }, "pattern"},
		{"registry with credentials", true, func(m map[string]any) { m["registry"] = "user:secret@localhost:5000" }, "pattern"},
		{"registry with scheme", true, func(m map[string]any) { m["registry"] = "https://localhost:5000" }, "pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, sch := validRepo, s.repo
			if tt.index {
				src, sch = validIndex, s.index
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(src), &m); err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = validate(sch, b)
			if tt.reject == "" {
				if err != nil {
					t.Fatalf("valid document rejected: %v", err)
				}
				return
			}
			var verr *jsonschema.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("document accepted (err = %v); want %s to reject it", err, tt.reject)
			}
			if kws := keywords(verr); !slices.Contains(kws, tt.reject) {
				t.Fatalf("rejected by %v, want %s: %v", kws, tt.reject, err)
			}
		})
	}
}

// keywords returns the last keyword of every leaf error under e.
func keywords(e *jsonschema.ValidationError) []string {
	if len(e.Causes) == 0 {
		p := e.ErrorKind.KeywordPath()
		if len(p) == 0 {
			return nil
		}
		return []string{p[len(p)-1]}
	}
	var out []string
	for _, c := range e.Causes {
		out = append(out, keywords(c)...)
	}
	return out
}

// TestSchemaMatchesGoTypes compares the schemas with the Go types field by
// field: every json name of a struct is a property of its schema and the
// other way round, and a field is required exactly when its tag has neither
// omitempty nor omitzero. This catches a field the crawl fixtures never
// fill.
func TestSchemaMatchesGoTypes(t *testing.T) {
	s := loadSchemas(t)
	def := func(doc map[string]any, name string) map[string]any {
		d, _ := doc["$defs"].(map[string]any)[name].(map[string]any)
		return d
	}
	tests := []struct {
		typ    any
		schema map[string]any
	}{
		{snapshot.Index{}, s.indexDoc},
		{snapshot.RepoSummary{}, def(s.indexDoc, "RepoSummary")},
		{snapshot.Repository{}, s.repoDoc},
		{snapshot.Tag{}, def(s.repoDoc, "Tag")},
		{snapshot.Image{}, def(s.repoDoc, "Image")},
		{snapshot.Platform{}, def(s.repoDoc, "Platform")},
		{snapshot.Config{}, def(s.repoDoc, "Config")},
		{snapshot.History{}, def(s.repoDoc, "History")},
		{snapshot.Layer{}, def(s.repoDoc, "Layer")},
		{snapshot.Descriptor{}, def(s.repoDoc, "Descriptor")},
		{snapshot.Failure{}, def(s.repoDoc, "Failure")},
		{snapshot.Skipped{}, def(s.repoDoc, "Skipped")},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.typ)
		t.Run(typ.Name(), func(t *testing.T) {
			if tt.schema == nil {
				t.Fatal("no schema definition")
			}
			if ap, ok := tt.schema["additionalProperties"].(bool); !ok || ap {
				t.Errorf("additionalProperties = %v, want false", tt.schema["additionalProperties"])
			}
			props, _ := tt.schema["properties"].(map[string]any)
			var required []string
			for _, r := range asSlice(tt.schema["required"]) {
				required = append(required, r.(string))
			}
			goNames := map[string]bool{}
			for i := range typ.NumField() {
				f := typ.Field(i)
				tag := f.Tag.Get("json")
				name, opts, _ := strings.Cut(tag, ",")
				if name == "" || name == "-" {
					t.Errorf("field %s has no json name", f.Name)
					continue
				}
				goNames[name] = true
				if _, ok := props[name]; !ok {
					t.Errorf("field %s (%q) is not in the schema", f.Name, name)
				}
				optional := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" })
				if req := slices.Contains(required, name); req == optional {
					t.Errorf("%q: required in schema = %v, but the json tag is %q", name, req, tag)
				}
			}
			for name := range props {
				if !goNames[name] {
					t.Errorf("schema property %q has no Go field", name)
				}
			}
		})
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
