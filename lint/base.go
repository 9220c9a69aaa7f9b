package lint

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/snapshot"
)

// Status says whether an image's base tag still points at the image it
// was built on.
type Status string

// The statuses of a base.
const (
	// StatusCurrent: the base tag still points at the base image.
	StatusCurrent Status = "current"
	// StatusMoved: the base tag now points at another image; the image
	// needs a rebuild.
	StatusMoved Status = "moved"
	// StatusUnknown: the base or its tag is not in the catalog, or which
	// image the base was is not known.
	StatusUnknown Status = "unknown"
)

// BaseState is what is known of one base of an image.
//
// A base is declared by the org.opencontainers.image.base.name
// annotation ("host/repo:tag", the host being the snapshot's registry
// or none), with base.digest (or the name's "@digest", or the lineage
// base in that repository) saying which image it was then. Without a
// declared name, each base the catalog found (catalog.Image.Bases, by
// base.digest or by layers) is a base by its display tag, current while
// it still has a tag.
type BaseState struct {
	// Image is the image built on the base.
	Image *catalog.Image
	// Name is the base as declared (base.name) or found ("repo:tag").
	Name string
	// Repo is the base's repository in the catalog, nil when it is
	// outside; Tag the base tag, "" when unknown.
	Repo *catalog.Repo
	Tag  string
	// Via is catalog.ViaAnnotation for a declared base, else how the
	// catalog found it.
	Via string
	// Built is the base image the image was built on when it is in the
	// catalog; BuiltDigest is its digest (known from base.digest even
	// when the image is not in the catalog), "" when unknown.
	Built       *catalog.Image
	BuiltDigest string
	// Now is the image Tag points at now, nil when unknown.
	Now    *catalog.Image
	Status Status
	// Newer is how much later Now was created than Built, or, when Built
	// is not in the catalog, than Image (SinceImage is then set); 0 when
	// a created time is unknown.
	Newer      time.Duration
	SinceImage bool
	// Note says why the status is unknown.
	Note string
}

// Message is the state in a sentence: "built on base/go:1.2 =
// sha256:aaa; 1.2 is now sha256:bbb, 3 weeks newer". Names are quoted
// when they are registry text that was not validated.
func (b BaseState) Message() string {
	name := b.Name
	if b.Via == catalog.ViaAnnotation {
		name = quote(b.Name)
	}
	switch b.Status {
	case StatusCurrent:
		return fmt.Sprintf("built on %s = %s, still current", name, Short(b.BuiltDigest))
	case StatusMoved:
		built := "an earlier image"
		if b.BuiltDigest != "" {
			built = Short(b.BuiltDigest)
		}
		msg := fmt.Sprintf("built on %s = %s; %s is now %s", name, built, b.Tag, Short(b.Now.Digest))
		if n := b.NewerText(); n != "" {
			msg += ", " + n
		}
		return msg
	}
	return fmt.Sprintf("built on %s: %s", name, b.Note)
}

// NewerText says how much newer the base tag's image is than the one
// the image was built on ("3 weeks newer", "2 days older"), or than the
// image itself when the old base is not in the catalog ("created 3 weeks
// after this image"); "" when not known.
func (b BaseState) NewerText() string {
	switch {
	case b.Newer == 0:
		return ""
	case b.SinceImage && b.Newer < 0:
		return "created " + Duration(b.Newer) + " before this image"
	case b.SinceImage:
		return "created " + Duration(b.Newer) + " after this image"
	case b.Newer < 0:
		return Duration(b.Newer) + " older"
	}
	return Duration(b.Newer) + " newer"
}

// catalogIndex finds repositories, tags and digests of a catalog.
type catalogIndex struct {
	registry string
	repos    map[string]*catalog.Repo
	tags     map[string]map[string]*catalog.Image
	digests  map[string][]*catalog.Image // top-level and platform digests
}

func newIndex(cat *catalog.Catalog) *catalogIndex {
	x := &catalogIndex{
		registry: strings.ToLower(cat.Index.Registry),
		repos:    map[string]*catalog.Repo{}, tags: map[string]map[string]*catalog.Image{},
		digests: map[string][]*catalog.Image{},
	}
	for _, rp := range cat.Repos {
		x.repos[rp.Name] = rp
		t := map[string]*catalog.Image{}
		for _, im := range rp.Images {
			for _, tag := range im.Tags {
				t[tag] = im
			}
			x.digests[im.Digest] = append(x.digests[im.Digest], im)
			for _, p := range im.Platforms {
				if p.Digest != im.Digest {
					x.digests[p.Digest] = append(x.digests[p.Digest], im)
				}
			}
		}
		x.tags[rp.Name] = t
	}
	return x
}

// BaseStates returns the base states of every linted image with a base,
// in catalog order (see BaseState for what counts as a base).
func BaseStates(cat *catalog.Catalog) []BaseState {
	x := newIndex(cat)
	var out []BaseState
	for _, im := range cat.Images {
		if !Linted(im) {
			continue
		}
		if name := im.Label(snapshot.KeyBaseName); name != "" {
			out = append(out, x.declared(im, name))
			continue
		}
		for _, b := range im.Bases {
			st := BaseState{Image: im, Name: Ref(b.Image), Repo: b.Image.Repo, Tag: b.Image.DisplayTag(), Via: b.Via,
				Built: b.Image, BuiltDigest: b.Image.Digest, Status: StatusCurrent, Now: b.Image}
			if st.Tag == "" {
				st.Now, st.Status, st.Note = nil, StatusUnknown, "the base image is untagged"
			}
			out = append(out, st)
		}
	}
	return out
}

// declared is the state of a base named by base.name.
func (x *catalogIndex) declared(im *catalog.Image, name string) BaseState {
	st := BaseState{Image: im, Name: name, Via: catalog.ViaAnnotation, Status: StatusUnknown}
	host, repo, tag, dig := parseRef(name)
	if host != "" && !strings.EqualFold(host, x.registry) {
		st.Note = "the base is in another registry"
		return st
	}
	if x.isDockerHub() && !strings.Contains(repo, "/") {
		repo = "library/" + repo
	}
	if st.Repo = x.repos[repo]; st.Repo == nil {
		st.Note = "the base repository is not in the catalog"
		return st
	}
	st.Tag = tag
	st.BuiltDigest = im.Label(snapshot.KeyBaseDigest)
	if st.BuiltDigest == "" {
		st.BuiltDigest = dig
	}
	if st.BuiltDigest == "" {
		// The base found by layers in the declared repository.
		for _, b := range im.Bases {
			if b.Image.Repo == st.Repo {
				st.BuiltDigest = b.Image.Digest
				break
			}
		}
	}
	st.Built = x.image(st.BuiltDigest, st.Repo)
	if st.Now = x.tags[repo][tag]; st.Now == nil {
		st.Note = "the tag " + quote(tag) + " is not in the catalog"
		return st
	}
	if st.BuiltDigest == "" {
		st.Now, st.Note = nil, "which image the base was is not known"
		return st
	}
	if holds(st.Now, st.BuiltDigest) {
		st.Status = StatusCurrent
		return st
	}
	st.Status = StatusMoved
	from := im.Created
	if st.Built != nil {
		from = st.Built.Created
	} else {
		st.SinceImage = true
	}
	if !from.IsZero() && !st.Now.Created.IsZero() {
		st.Newer = st.Now.Created.Sub(from)
	}
	return st
}

// image returns the image with digest d (as a whole or as one of its
// platforms), preferring one in rp, or nil.
func (x *catalogIndex) image(d string, rp *catalog.Repo) *catalog.Image {
	ims := x.digests[d]
	if i := slices.IndexFunc(ims, func(im *catalog.Image) bool { return im.Repo == rp }); i >= 0 {
		return ims[i]
	}
	if len(ims) > 0 {
		return ims[0]
	}
	return nil
}

// holds reports whether im is the image with digest d or has a platform
// with it: base.digest may name a platform manifest of an index.
func holds(im *catalog.Image, d string) bool {
	if im.Digest == d {
		return true
	}
	return slices.ContainsFunc(im.Platforms, func(p catalog.Platform) bool { return p.Digest == d })
}

func (x *catalogIndex) isDockerHub() bool {
	switch x.registry {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return true
	}
	return false
}

// parseRef splits an image reference "[host[:port]/]repo[:tag][@digest]"
// as Docker does: the first component is a host when it has a "." or a
// ":" or is "localhost". The tag defaults to "latest".
func parseRef(ref string) (host, repo, tag, digest string) {
	if i := strings.LastIndexByte(ref, '@'); i >= 0 {
		ref, digest = ref[:i], ref[i+1:]
	}
	if first, rest, ok := strings.Cut(ref, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		host, ref = first, rest
	}
	repo, tag = ref, "latest"
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		repo, tag = ref[:i], ref[i+1:]
	}
	return host, repo, tag, digest
}
