package render

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/internal/sitefs"
	"github.com/regcat/regcat/snapshot"
)

// Incremental render. Every file of a repository (its pages, size
// chart, feed, API record and badges; see repoFiles) is made from
// what its fingerprint hashes: the repository's published snapshot
// data and change-log entries, what its pages show of other
// repositories (lineage, base image states), its badge directories, the
// data every page shows (site title, registry, the nav's counts), the
// render's options, the templates (overrides included) and the regcat
// executable itself. The site keeps the fingerprints in manifestFile.
// A repository whose fingerprint is the one the previous site recorded
// is not rendered: its files are hard-linked from the previous site
// without being read (sitefs.Dir.Carry). Anything in doubt (no
// manifest, another version of it, a file missing from the previous
// site) renders the repository. Site-level files are always rendered.
//
// The site a render replaces stays beside it as its spare (see
// sitefs.Options.Spare). A repository whose fingerprint both the previous
// site and the spare record has its own directories (its pages, and its
// badges when no other repository's are below them) moved from the spare
// with a rename each, where linking costs a system call per file and
// removing the replaced site another: after a nightly crawl that changed
// a few repositories, most of them are in both.

// manifestFile records, at the top of the site, each repository's
// fingerprint and the size of its files. It is no page: the sitemap
// does not list it.
const manifestFile = ".regcat-render.json"

// manifestVersion is the manifest's format; a manifest of another is
// ignored.
const manifestVersion = 1

// maxManifest caps the manifest read from the previous site (about 150
// bytes a repository).
const maxManifest = 64 << 20

type manifest struct {
	Version int                     `json:"version"`
	Repos   map[string]manifestRepo `json:"repos"`
}

type manifestRepo struct {
	// Fingerprint is the hex SHA-256 described above.
	Fingerprint string `json:"fingerprint"`
	// Bytes is the total size of the repository's files.
	Bytes int64 `json:"bytes"`
}

// executableHash is the SHA-256 of the running executable: a regcat
// that renders differently has other bytes.
var executableHash = sync.OnceValues(func() ([]byte, error) {
	p, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
})

// fingerprints sets r.fps, the fingerprint of every repository, or
// leaves it nil when the executable cannot be read (nothing is carried
// and no manifest is written). It fails only when ctx is done.
func (r *renderer) fingerprints(ctx context.Context) error {
	exe, err := executableHash()
	if err != nil {
		r.cfg.logger().Info("rendering every repository: cannot hash the executable", "err", err)
		return nil
	}
	h := sha256.New()
	common := r.common
	common.CrawledAt = Time{} // not on repository and image pages
	err = newFPWriter(h).write("regcat render", manifestVersion, exe, r.tmplSum[:], common,
		r.cfg.BaseURL, r.cfg.Title, r.cfg.ShowEnv, r.cfg.BadgeStyle, r.cfg.badgeTag(), r.cfg.tagBadges(), r.cfg.pageSize(), r.up)
	if err != nil {
		r.cfg.logger().Info("rendering every repository: fingerprint", "err", err)
		return nil
	}
	global := h.Sum(nil)
	fps := make([]string, len(r.cat.Repos))
	var g errgroup.Group
	g.SetLimit(jobs)
	for i, rp := range r.cat.Repos {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			fps[i] = r.fingerprint(global, rp)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.fps = make(map[*catalog.Repo]string, len(fps))
	for i, rp := range r.cat.Repos {
		r.fps[rp] = fps[i]
	}
	return nil
}

// fingerprint is the fingerprint of rp after the site-wide part global,
// or "" when it cannot be computed. It hashes only published data (the
// API's redacted record and the count of hidden environment variables),
// since the manifest is public.
func (r *renderer) fingerprint(global []byte, rp *catalog.Repo) string {
	own := r.own[rp]
	if !own.ok {
		return ""
	}
	h := sha256.New()
	h.Write(global)
	h.Write(own.sum[:])
	w := newFPWriter(h)
	var err error
	for _, ch := range rp.Changes {
		err = cmp.Or(err, w.write(ch.Set.Registry, ch.Set.Since, ch.Set.CrawledAt, ch.Repo))
	}
	for _, bd := range r.repoBadgeDirs(rp) {
		err = cmp.Or(err, w.write(bd.dir, bd.tag, bd.image != nil))
	}
	for _, ip := range rp.Images {
		// What an image's page and row show of other repositories.
		var d ImagePage
		lineage(&d, ip)
		base, note := r.historyBase(ip)
		var shown string
		if bd := r.badges.images[ip]; bd != nil {
			shown = bd.dir
		}
		err = cmp.Or(err, w.write(ip.Digest, ip.Tags, d.Bases, d.BaseName, d.BaseRef, d.Children, d.MoreChildren,
			lineageGraph(ip), r.imageBases(ip), base, note, shown))
	}
	if err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ownPrint is the part of a repository's fingerprint that its whole
// record gives; ok is false when it could not be computed.
type ownPrint struct {
	sum [sha256.Size]byte
	ok  bool
}

// visit computes rp's ownPrint from its whole record, as the catalog
// reads it (catalog.Config.Visit): the API's redacted record and the
// count of hidden environment variables, with the summary and tags.
func (r *renderer) visit(rp *catalog.Repo, full *catalog.Full) {
	h := sha256.New()
	err := newFPWriter(h).write(rp.Name, r.public(full.Repo), envCounts(full.Repo), rp.Summary, rp.Tags, rp.DefaultTag)
	var p ownPrint
	if err == nil {
		h.Sum(p.sum[:0])
		p.ok = true
	}
	r.ownMu.Lock()
	r.own[rp] = p
	r.ownMu.Unlock()
}

// envCounts is how many environment variables each platform of each
// image has: pages show the count when they hide the values.
func envCounts(rp *snapshot.Repository) [][]int {
	out := make([][]int, len(rp.Images))
	for i, im := range rp.Images {
		for _, p := range im.Platforms {
			out[i] = append(out[i], len(p.Config.Env))
		}
	}
	return out
}

// repoBadgeDirs are the badge directories of rp in the badge plan: its
// own, then its tags'.
func (r *renderer) repoBadgeDirs(rp *catalog.Repo) []*badgeDir {
	dirs := r.badges.tags[rp]
	if own := r.badges.repos[rp]; own != nil {
		dirs = append([]*badgeDir{own}, dirs...)
	}
	return dirs
}

// repoFiles are the files the outputs write for rp, by directory: its
// pages, size chart and feed, its API record and its badges.
func (r *renderer) repoFiles(rp *catalog.Repo) []sitefs.CarryDir {
	pages := sitefs.CarryDir{Dir: strings.TrimSuffix(repoDir(rp.Name), "/")}
	for n := range r.historyPages(rp) {
		pages.Names = append(pages.Names, historyFile(n+1))
	}
	for _, ip := range rp.Images {
		pages.Names = append(pages.Names, imageFile(ip.Digest))
	}
	if len(sizePoints(rp)) >= 2 {
		pages.Names = append(pages.Names, sizeChartFile)
	}
	pages.Names = append(pages.Names, feedFile)
	out := []sitefs.CarryDir{pages}
	if api, err := apiPath(rp.Name); err == nil {
		dir, name := path.Split(api)
		out = append(out, sitefs.CarryDir{Dir: strings.TrimSuffix(dir, "/"), Names: []string{name}})
	}
	for _, bd := range r.repoBadgeDirs(rp) {
		out = append(out, sitefs.CarryDir{Dir: strings.TrimSuffix(bd.dir, "/"), Names: badgeFiles})
	}
	return out
}

// rendered reports whether rp's files are rendered, not carried from
// the previous site.
func (r *renderer) rendered(rp *catalog.Repo) bool {
	_, ok := r.carried[rp]
	return !ok
}

// renderedRepos are the repositories whose files are rendered, in
// catalog order.
func (r *renderer) renderedRepos() []*catalog.Repo {
	if len(r.carried) == 0 {
		return r.cat.Repos
	}
	out := make([]*catalog.Repo, 0, len(r.cat.Repos)-len(r.carried))
	for _, rp := range r.cat.Repos {
		if r.rendered(rp) {
			out = append(out, rp)
		}
	}
	return out
}

// carry computes the fingerprints and links the files of every
// repository whose fingerprint the previous site's manifest records
// from there, before any output runs. A repository whose files cannot
// all be linked is rendered.
func (r *renderer) carry(ctx context.Context, s *sitefs.Dir) error {
	if err := r.fingerprints(ctx); err != nil {
		return err
	}
	prev := r.readManifest("previous site", s.ReadPrevious)
	var spare map[string]manifestRepo
	if s.HasSpare() {
		spare = r.readManifest("spare site", s.ReadSpare)
	}
	var todo []*catalog.Repo
	for _, rp := range r.cat.Repos {
		if m, ok := prev[rp.Name]; ok && r.fps[rp] != "" && m.Fingerprint == r.fps[rp] {
			todo = append(todo, rp)
		}
	}
	// A repository's badges are below another's name ("a/b" below
	// "a") in this site, or were in the spare's: its badge directory
	// holds more than its own badges there and is linked, not moved.
	names := slices.Collect(maps.Keys(spare))
	for _, rp := range r.cat.Repos {
		names = append(names, rp.Name)
	}
	nested := nestedNames(names)
	if len(todo) == 0 {
		return nil
	}
	// Carried repositories' directories are made (or moved) from the
	// open r/; the outputs make the rendered ones' (mkRepoDirs).
	// The badge directories of namespaces stay open while the
	// repositories' own are made and opened from them (see carryRepo).
	nss := map[string]bool{}
	for _, rp := range todo {
		if ns := path.Dir(badgesDir + rp.Name); ns+"/" != badgesDir {
			nss[ns] = true
		}
	}
	dirs := append([]string{strings.TrimSuffix(reposDir, "/"), apiDir + "repos", strings.TrimSuffix(badgesDir, "/")}, slices.Sorted(maps.Keys(nss))...)
	for _, dir := range dirs {
		if err := s.Mkdir(dir); err != nil {
			return err
		}
	}
	defer func() {
		for _, dir := range dirs[3:] {
			s.CloseDir(dir)
		}
	}()
	done := make([]bool, len(todo))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, rp := range todo {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			fromSpare := spare[rp.Name].Fingerprint == r.fps[rp]
			err := r.carryRepo(s, rp, prev[rp.Name].Bytes, fromSpare, nested[rp.Name])
			if err != nil {
				r.cfg.logger().Debug("rendering repository: its files are not all in the previous site", "repo", rp.Name, "err", err)
			}
			done[i] = err == nil
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.carried = map[*catalog.Repo]manifestRepo{}
	for i, rp := range todo {
		if done[i] {
			r.carried[rp] = prev[rp.Name]
		}
	}
	return nil
}

// carryRepo carries the files of rp: links them from the previous site,
// or when fromSpare moves its directories from the spare, its badges'
// only when it has no nested repositories, whose badges are below them.
func (r *renderer) carryRepo(s *sitefs.Dir, rp *catalog.Repo, bytes int64, fromSpare, nested bool) error {
	files := r.repoFiles(rp)
	if fromSpare {
		files[0].Spare = true // its pages' directory, see repoFiles
	}
	if bds := r.repoBadgeDirs(rp); len(bds) > 0 {
		if fromSpare && !nested {
			files = append(files[:len(files)-len(bds)], spareBadges(rp, bds))
		} else {
			dir := badgesDir + rp.Name
			if err := s.Mkdir(dir); err != nil {
				return err
			}
			defer s.CloseDir(dir)
		}
	}
	return s.Carry(files, bytes)
}

// spareBadges are the badge directories bds of rp (its own first, as
// repoBadgeDirs gives them) as one directory to move from the spare.
func spareBadges(rp *catalog.Repo, bds []*badgeDir) sitefs.CarryDir {
	dir := badgesDir + rp.Name
	cd := sitefs.CarryDir{Dir: dir, Spare: true}
	for _, bd := range bds {
		sub := strings.TrimPrefix(strings.TrimSuffix(bd.dir, "/"), dir)
		sub = strings.TrimPrefix(sub, "/")
		for _, f := range badgeFiles {
			cd.Names = append(cd.Names, path.Join(sub, f))
		}
	}
	return cd
}

// nestedNames are those of names that others are below ("a" of "a/b").
func nestedNames(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	out := map[string]bool{}
	for _, n := range names {
		for i := range len(n) {
			if n[i] == '/' && set[n[:i]] {
				out[n[:i]] = true
			}
		}
	}
	return out
}

// readManifest returns the repositories of the manifest that read
// reads (of the previous site, or the spare: which names), or nil when
// there is none of this version.
func (r *renderer) readManifest(which string, read func(string, int64) ([]byte, error)) map[string]manifestRepo {
	if r.fps == nil {
		return nil
	}
	b, err := read(manifestFile, maxManifest)
	if err != nil {
		r.cfg.logger().Debug("no render manifest in the "+which, "err", err)
		return nil
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil || m.Version != manifestVersion {
		r.cfg.logger().Info("ignoring the render manifest of the "+which+": of another version or corrupt", "err", err)
		return nil
	}
	return m.Repos
}

// writeManifest writes manifestFile once every output is done. A
// repository whose files were not all written (which would be a bug of
// repoFiles) is left out, so the next render renders it.
func (r *renderer) writeManifest(s *sitefs.Dir) error {
	if r.fps == nil {
		return nil
	}
	m := manifest{Version: manifestVersion, Repos: make(map[string]manifestRepo, len(r.cat.Repos))}
	for _, rp := range r.cat.Repos {
		if c, ok := r.carried[rp]; ok {
			m.Repos[rp.Name] = c
			continue
		}
		if r.fps[rp] == "" {
			continue
		}
		var names []string
		for _, cd := range r.repoFiles(rp) {
			for _, n := range cd.Names {
				names = append(names, cd.Dir+"/"+n)
			}
		}
		size, ok := s.Sizes(names)
		if !ok {
			r.cfg.logger().Warn("repository left out of the render manifest: not all its files were written", "repo", rp.Name)
			continue
		}
		m.Repos[rp.Name] = manifestRepo{Fingerprint: r.fps[rp], Bytes: size}
	}
	b, err := json.Marshal(&m)
	if err != nil {
		return err
	}
	return s.Write(manifestFile, b)
}
