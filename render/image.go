package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

func (r *renderer) imageData(ip *imagePlan) (*ImagePage, error) {
	im, rp := ip.im, ip.repo
	p := imagePage(rp.name, im.Digest)
	title := rp.name + "@" + shortDigest(im.Digest)
	if len(ip.tags) > 0 {
		title = rp.name + ":" + newestTag(ip.tags)
	}
	d := &ImagePage{
		Page:         r.pageFor(p, title),
		Repo:         Link{Text: rp.name, Href: indexPage},
		Digest:       im.Digest,
		Short:        shortDigest(im.Digest),
		Kind:         string(im.Kind),
		MediaType:    oneLine(im.MediaType),
		ArtifactType: oneLine(im.ArtifactType),
		Tags:         ip.tags,
		Created:      timeView(im.Created),
		Size:         sizeView(im.Size),
		Pull:         pullCommands(r.common.Registry, rp.name, ip.tags, im.Digest),
		ShowEnv:      r.cfg.ShowEnv,
	}
	api, err := apiRepo(rp.name)
	if err != nil {
		return nil, err
	}
	d.JSON = "../../" + api
	if d.Description, err = r.description(label(im, snapshot.LabelDescription)); err != nil {
		return nil, fmt.Errorf("description of %s@%s: %w", rp.name, im.Digest, err)
	}
	d.About, d.Metadata = aboutAndMetadata(im)
	for i := range im.Platforms {
		pv := r.platformView(&im.Platforms[i])
		pv.ID = "platform-" + strconv.Itoa(i+1)
		if d.Author == "" {
			d.Author = pv.Author
		}
		d.Platforms = append(d.Platforms, pv)
	}
	for _, a := range im.Attestations {
		d.Attestations = append(d.Attestations, attestation(a, d.Platforms))
	}
	for _, l := range im.Layers {
		d.ArtifactBlobs = append(d.ArtifactBlobs, blob(l.Digest, l.MediaType, "", l.Size))
	}
	if im.Subject != "" {
		d.Subject = Link{Text: oneLine(im.Subject)}
		if snapshot.ValidateDigest(im.Subject) == nil && r.inRepo(rp, im.Subject) {
			d.Subject.Href = imageFile(im.Subject)
		}
	}
	r.lineage(d, ip)
	d.Badges = r.imageBadges(ip)
	return d, nil
}

// inRepo reports whether the repository has a page for digest.
func (r *renderer) inRepo(rp *repoPlan, digest string) bool {
	for _, ip := range rp.images {
		if ip.im.Digest == digest {
			return true
		}
	}
	return false
}

func (r *renderer) lineage(d *ImagePage, ip *imagePlan) {
	relative := func(o *imagePlan, via string) Relative {
		return Relative{
			Repo:    o.repo.name,
			Tags:    strings.Join(o.tags, ", "),
			Short:   shortDigest(o.im.Digest),
			Href:    "../" + repoKey(o.repo.name) + "/" + imageFile(o.im.Digest),
			Created: timeView(o.im.Created),
			Via:     via,
		}
	}
	for _, b := range ip.bases {
		d.Bases = append(d.Bases, relative(b.image, b.via))
	}
	if len(d.Bases) == 0 || d.Bases[0].Via != "annotation" {
		d.BaseName = oneLine(label(ip.im, keyBaseName))
		d.BaseRef = oneLine(label(ip.im, keyBaseDig))
	}
	for i, c := range ip.children {
		if i == maxChildren {
			d.MoreChildren = len(ip.children) - maxChildren
			break
		}
		d.Children = append(d.Children, relative(c, ""))
	}
}

// Annotations of buildx attestation manifests in an index (BuildKit,
// docs/attestations/attestation-storage.md): the digest of the platform
// manifest an entry attests, and what kind of reference it is.
const (
	keyRefDigest = "vnd.docker.reference.digest"
	keyRefType   = "vnd.docker.reference.type"
)

// attestation is the view of an index entry that is not a platform,
// naming the platform it attests, linked to that platform on the page,
// when its annotations say which.
func attestation(a snapshot.Descriptor, platforms []PlatformView) Attestation {
	v := Attestation{
		Blob:      blob(a.Digest, a.MediaType, a.ArtifactType, a.Size),
		RefDigest: oneLine(a.Annotations[keyRefDigest]),
		RefType:   oneLine(a.Annotations[keyRefType]),
	}
	if v.RefDigest == "" {
		return v
	}
	for _, p := range platforms {
		if p.Digest == v.RefDigest {
			v.Attests = Link{Text: p.Name, Href: "#" + p.ID}
			return v
		}
	}
	if snapshot.ValidateDigest(v.RefDigest) == nil {
		v.Attests = Link{Text: shortDigest(v.RefDigest)}
	} else {
		v.Attests = Link{Text: truncate(v.RefDigest, 20)}
	}
	return v
}

func blob(digest, mediaType, artifactType string, size int64) Blob {
	return Blob{Digest: oneLine(digest), Short: shortDigest(oneLine(digest)), MediaType: oneLine(mediaType), ArtifactType: oneLine(artifactType), Size: sizeView(size)}
}

// aboutAndMetadata splits an image's labels and annotations into the
// well-known keys, shown by friendly name with the OCI key preferred over
// its Label Schema equivalent, and the rest.
func aboutAndMetadata(im *snapshot.Image) ([]Field, []MetaRow) {
	var about []Field
	for _, k := range knownKeys {
		v := label(im, k.oci)
		if v == "" || k.name == "Description" {
			continue
		}
		keys := k.oci
		if k.schema != "" {
			keys += " · " + k.schema
		}
		f := Field{Name: k.name, Link: Link{Text: oneLine(v)}, Keys: keys}
		if k.link {
			f.Href = webURL(v)
		}
		if k.name == "Revision" {
			f.Href = commitURL(label(im, keySource), v)
		}
		about = append(about, f)
	}
	var rest []MetaRow
	for _, e := range metadata(im, im.Kind == snapshot.KindIndex) {
		if _, known := knownByOCI[e.key]; known || schemaKeys[e.key] {
			continue
		}
		rest = append(rest, MetaRow{Key: oneLine(e.key), Value: textLink(e.value), Source: e.source})
	}
	return about, rest
}

func (r *renderer) platformView(p *snapshot.Platform) PlatformView {
	c := &p.Config
	pv := PlatformView{
		Name:       platformName(p),
		Digest:     p.Digest,
		Short:      shortDigest(p.Digest),
		Size:       sizeView(p.Size),
		Created:    timeView(c.Created),
		Author:     oneLine(c.Author),
		User:       oneLine(c.User),
		Dir:        oneLine(c.WorkingDir),
		Entrypoint: oneLine(strings.Join(c.Entrypoint, " ")),
		Cmd:        oneLine(strings.Join(c.Cmd, " ")),
	}
	for _, port := range c.ExposedPorts {
		pv.Ports = append(pv.Ports, oneLine(port))
	}
	if r.cfg.ShowEnv {
		for _, e := range c.Env {
			pv.Env = append(pv.Env, oneLine(e))
		}
	} else {
		pv.EnvHidden = len(c.Env)
	}
	// Build steps that made a layer line up with the layers in order
	// (image-spec config.md: history entries with empty_layer do not).
	var steps []string
	layer := 0
	for _, h := range c.History {
		st := Step{Created: timeView(h.Created), CreatedBy: stepText(h.CreatedBy, r.cfg.ShowEnv), Comment: oneLine(h.Comment), Empty: h.EmptyLayer}
		if !h.EmptyLayer {
			layer++
			st.LayerNumber = layer
			steps = append(steps, st.CreatedBy)
		}
		pv.History = append(pv.History, st)
	}
	pv.Mismatch = len(c.History) > 0 && len(steps) != len(p.Layers)
	for i, l := range p.Layers {
		row := LayerRow{Index: i + 1, Digest: oneLine(l.Digest), Short: shortDigest(oneLine(l.Digest)), Size: sizeView(l.Size), MediaType: oneLine(l.MediaType)}
		if !pv.Mismatch && i < len(steps) {
			row.Step = steps[i]
		}
		pv.Layers = append(pv.Layers, row)
	}
	return pv
}
