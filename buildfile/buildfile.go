// Package buildfile reads regcat.yaml, the file that lists the registries
// of one catalog site (`regcat build --config regcat.yaml`): for each
// registry its address, credentials (from environment variables, else the
// docker config.json and its credential helpers), repositories
// (repos, repos-file) and include/exclude globs, the directory and
// title of its part of the site, and the number of shards its crawl is
// split into by `regcat crawl --config FILE --shard K` (see
// [Registry.Shard]).
//
// The YAML is read strictly: an unknown key, a duplicate key or a value of
// the wrong type is an error that names its line, as is a registry
// without an address or with half of its credentials.
package buildfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"go.yaml.in/yaml/v3"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/render"
	"github.com/regcat/regcat/snapshot"
)

// MaxSize caps the size of a config file; MaxReposFile that of a
// repos-file.
const (
	MaxSize      = 1 << 20
	MaxReposFile = 16 << 20
)

// File is a parsed config file.
type File struct {
	// Title is the landing page's title; empty means the renderer's
	// default.
	Title string
	// Registries are in file order.
	Registries []Registry
}

// Registry is one registry of the catalog.
type Registry struct {
	// Dir is its directory in the site and in the snapshot directory:
	// the file's dir, else derived from the address ("host-port").
	Dir string
	// Title is its site title; empty means "<registry> catalog".
	Title string
	// Shards is the number of shards its crawl is split into by a
	// sharded crawl of the file, from 1 (the default: unsharded) to
	// snapshot.MaxShards. An unsharded crawl or a build crawls the
	// registry whole whatever it is.
	Shards int
	// Crawl is its crawl: Registry, Repos (repos and the repos-file),
	// Include, Exclude, Insecure, PlainHTTP and the credentials (Auth from
	// the environment variables, else Keychain) set; the rest zero.
	Crawl crawler.Config
}

// file and registry are the YAML shapes.
type file struct {
	Title      string     `yaml:"title"`
	Registries []registry `yaml:"registries"`
}

type registry struct {
	Address     string   `yaml:"address"`
	Dir         string   `yaml:"dir"`
	Title       string   `yaml:"title"`
	UsernameEnv string   `yaml:"username-env"`
	PasswordEnv string   `yaml:"password-env"`
	Repos       []string `yaml:"repos"`
	ReposFile   string   `yaml:"repos-file"`
	Include     []string `yaml:"include"`
	Exclude     []string `yaml:"exclude"`
	Insecure    bool     `yaml:"insecure"`
	PlainHTTP   bool     `yaml:"plain-http"`
	Shards      *count   `yaml:"shards"`
}

// count is a whole number as YAML writes it: the decoder would take 1.5
// or 1e3 for an int.
type count int

// UnmarshalYAML refuses anything but a YAML integer.
func (c *count) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: not a whole number", n.Line)
	}
	if n.ShortTag() != "!!int" {
		return fmt.Errorf("line %d: %q is not a whole number", n.Line, n.Value)
	}
	var v int
	if err := n.Decode(&v); err != nil {
		return err
	}
	*c = count(v)
	return nil
}

// Load reads the config file at path. getenv looks up the credential
// variables (os.Getenv in the command); a repos-file is relative to the
// config file's directory.
func Load(path string, getenv func(string) string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%s: over %d bytes", path, MaxSize)
	}
	out, err := parse(b, filepath.Dir(path), getenv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// parse decodes b strictly and checks every registry.
func parse(b []byte, dir string, getenv func(string) string) (*File, error) {
	var doc file
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("line %d: a second YAML document", more.Line)
	}
	lines, err := registryLines(b)
	if err != nil {
		return nil, err
	}
	if len(doc.Registries) == 0 {
		return nil, errors.New("registries: none listed")
	}
	out := &File{Title: doc.Title}
	seen := map[string]int{}
	for i, r := range doc.Registries {
		reg, err := r.registry(dir, getenv)
		if err != nil {
			return nil, fmt.Errorf("line %d: registry %d: %w", lines[i], i+1, err)
		}
		if prev, ok := seen[reg.Dir]; ok {
			return nil, fmt.Errorf("line %d: registry %d: dir %q is also that of the registry at line %d", lines[i], i+1, reg.Dir, prev)
		}
		seen[reg.Dir] = lines[i]
		out.Registries = append(out.Registries, reg)
	}
	return out, nil
}

// registryLines returns the line of each item of registries.
func registryLines(b []byte) ([]int, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "registries" {
			var lines []int
			for _, n := range m.Content[i+1].Content {
				lines = append(lines, n.Line)
			}
			return lines, nil
		}
	}
	return nil, nil
}

// registry checks r and builds its Registry.
func (r *registry) registry(dir string, getenv func(string) string) (Registry, error) {
	if strings.TrimSpace(r.Address) == "" {
		return Registry{}, errors.New("address: not set")
	}
	out := Registry{
		Dir:    r.Dir,
		Title:  r.Title,
		Shards: 1,
		Crawl: crawler.Config{
			Registry:  r.Address,
			Repos:     r.Repos,
			Include:   r.Include,
			Exclude:   r.Exclude,
			Insecure:  r.Insecure,
			PlainHTTP: r.PlainHTTP,
		},
	}
	if out.Dir == "" {
		out.Dir = dirOf(r.Address)
	}
	if r.Shards != nil {
		out.Shards = int(*r.Shards)
		if out.Shards < 1 || out.Shards > snapshot.MaxShards {
			return Registry{}, fmt.Errorf("shards: %d is not 1 to %d", out.Shards, snapshot.MaxShards)
		}
	}
	if err := render.ValidateSectionDir(out.Dir); err != nil {
		return Registry{}, fmt.Errorf("dir: %w", err)
	}
	if r.ReposFile != "" {
		p := r.ReposFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		names, err := ReadReposFile(p)
		if err != nil {
			return Registry{}, err
		}
		out.Crawl.Repos = append(append([]string(nil), out.Crawl.Repos...), names...)
	}
	switch {
	case r.UsernameEnv == "" && r.PasswordEnv == "":
		out.Crawl.Keychain = authn.DefaultKeychain
	case r.UsernameEnv == "" || r.PasswordEnv == "":
		return Registry{}, errors.New("username-env and password-env: set both or neither")
	default:
		user, pass := getenv(r.UsernameEnv), getenv(r.PasswordEnv)
		if user == "" || pass == "" {
			return Registry{}, fmt.Errorf("credentials: %s and %s must both be set in the environment", r.UsernameEnv, r.PasswordEnv)
		}
		out.Crawl.Auth = &authn.Basic{Username: user, Password: pass}
	}
	if err := out.Crawl.Validate(); err != nil {
		return Registry{}, err
	}
	return out, nil
}

// Shard returns the shard of r that job k (from 1) of a sharded crawl of
// the file crawls: shard k of r.Shards, and false when k > r.Shards (a
// registry of 1 shard is crawled by job 1 alone, as shard 1/1, so that
// every registry of the file is merged alike).
func (r Registry) Shard(k int) (snapshot.Shard, bool) {
	return snapshot.Shard{Index: k, Count: r.Shards}, k >= 1 && k <= r.Shards
}

// MaxShards is the largest Shards of f's registries: the number of jobs
// a sharded crawl of the file needs.
func (f *File) MaxShards() int {
	n := 1
	for _, r := range f.Registries {
		n = max(n, r.Shards)
	}
	return n
}

// dirOf derives a directory name from a registry address:
// "https://Registry.example.com:5000/x" gives "registry.example.com-5000",
// "[::1]:5000" gives "1-5000".
func dirOf(address string) string {
	s := strings.ToLower(strings.TrimSpace(address))
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimLeft(strings.NewReplacer(":", "-", "[", "", "]", "").Replace(s), "-.")
}

// ReadReposFile reads repository names, one per line; blank lines and
// lines starting with # are ignored. A file over [MaxReposFile] bytes or
// without a name is an error.
func ReadReposFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("repos-file: %w", err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(io.LimitReader(f, MaxReposFile))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("repos-file %s: %w", name, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("repos-file %s: no repository names", name)
	}
	return names, nil
}
