package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/snapshot"
)

// imageHTML is a page per image, in its repository's directory.
var imageHTML = page{template: "image.html", scope: imageScope,
	path: func(s subject) string { return imagePage(s.repo.Name, s.image.Digest) },
	data: func(r *renderer, s subject) (any, error) { return r.imageData(s.image, s.full) }}

// maxChildren caps the images built on one image that a page lists.
const maxChildren = 50

// imageData is the data of ip's page; full is its repository's whole
// record.
func (r *renderer) imageData(ip *catalog.Image, full *catalog.Full) (*ImagePage, error) {
	im, rp := full.Image(ip), ip.Repo
	p := imagePage(rp.Name, im.Digest)
	title := rp.Name + "@" + shortDigest(im.Digest)
	if len(ip.Tags) > 0 {
		title = rp.Name + ":" + ip.DisplayTag()
	}
	d := &ImagePage{
		Page:         r.pageFor(p, title, feedFile),
		Repo:         Link{Text: rp.Name, Href: indexPage},
		Digest:       im.Digest,
		Short:        shortDigest(im.Digest),
		Kind:         string(im.Kind),
		MediaType:    oneLine(im.MediaType),
		ArtifactType: oneLine(im.ArtifactType),
		Tags:         ip.Tags,
		Created:      timeView(im.Created),
		Size:         sizeView(im.Size),
		Pull:         pullCommands(r.common.Registry, rp.Name, ip.Tags, im.Digest),
		ShowEnv:      r.cfg.ShowEnv,
	}
	api, err := apiPath(rp.Name)
	if err != nil {
		return nil, err
	}
	d.JSON = "../../" + api
	if d.Description, err = r.md.html(ip.Label(snapshot.KeyDescription)); err != nil {
		return nil, fmt.Errorf("description of %s@%s: %w", rp.Name, im.Digest, err)
	}
	d.About, d.Metadata = aboutAndMetadata(im, ip.Meta)
	d.Normalized = normalRows(ip.Meta)
	d.SchemaKeys = slices.ContainsFunc(d.Normalized, func(n NormalRow) bool { return n.Key != n.OCI })
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
	d.Supply = supplyRows(im, d.Platforms)
	d.SupplyTruncated = truncation(im.ReferrersTruncated)
	for _, l := range im.Layers {
		d.ArtifactBlobs = append(d.ArtifactBlobs, blob(l.Digest, l.MediaType, "", l.Size))
	}
	if im.Subject != "" {
		d.Subject = Link{Text: oneLine(im.Subject)}
		if snapshot.ValidateDigest(im.Subject) == nil && rp.Has(im.Subject) {
			d.Subject.Href = imageFile(im.Subject)
		}
	}
	lineage(d, ip)
	d.BaseStates = r.imageBases(ip)
	d.Graph = lineageGraph(ip)
	d.Badges = r.imageBadges(ip, full)
	return d, nil
}

func lineage(d *ImagePage, ip *catalog.Image) {
	relative := func(o *catalog.Image, via string) Relative {
		return Relative{
			Repo:    o.Repo.Name,
			Tags:    strings.Join(o.Tags, ", "),
			Short:   shortDigest(o.Digest),
			Href:    "../" + repoKey(o.Repo.Name) + "/" + imageFile(o.Digest),
			Created: timeView(o.Created),
			Via:     via,
		}
	}
	for _, b := range ip.Bases {
		d.Bases = append(d.Bases, relative(b.Image, b.Via))
	}
	if len(d.Bases) == 0 || d.Bases[0].Via != catalog.ViaAnnotation {
		d.BaseName = oneLine(ip.Label(snapshot.KeyBaseName))
		d.BaseRef = oneLine(ip.Label(snapshot.KeyBaseDigest))
	}
	for i, c := range ip.Children {
		if i == maxChildren {
			d.MoreChildren = len(ip.Children) - maxChildren
			break
		}
		d.Children = append(d.Children, relative(c, ""))
	}
}

// attestation is the view of an index entry that is not a platform,
// naming the platform it attests, linked to that platform on the page,
// when its annotations say which.
func attestation(a snapshot.Descriptor, platforms []PlatformView) Attestation {
	v := Attestation{
		Blob:      blob(a.Digest, a.MediaType, a.ArtifactType, a.Size),
		RefDigest: oneLine(a.Annotations[snapshot.KeyRefDigest]),
		RefType:   oneLine(a.Annotations[snapshot.KeyRefType]),
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
		v.Attests = Link{Text: snapshot.Truncate(v.RefDigest, 20)}
	}
	return v
}

func blob(digest, mediaType, artifactType string, size int64) Blob {
	return Blob{Digest: oneLine(digest), Short: shortDigest(oneLine(digest)), MediaType: oneLine(mediaType), ArtifactType: oneLine(artifactType), Size: sizeView(size)}
}

// aboutAndMetadata splits an image's labels and annotations into the
// well-known keys, shown by friendly name with the OCI key preferred over
// its Label Schema equivalent, and the rest.
func aboutAndMetadata(im *snapshot.Image, meta []catalog.Entry) ([]Field, []MetaRow) {
	var about []Field
	for _, k := range snapshot.KnownKeys {
		v := catalog.Label(im, k.OCI)
		if v == "" || k.OCI == snapshot.KeyDescription {
			continue
		}
		f := Field{Name: k.Name, Link: Link{Text: oneLine(v)}}
		if k.Link {
			f.Href = webURL(v)
		}
		if k.OCI == snapshot.KeyRevision {
			f.Href = commitURL(catalog.Label(im, snapshot.KeySource), v)
		}
		about = append(about, f)
	}
	var rest []MetaRow
	for _, e := range meta {
		if catalog.IsKnown(e.Key) {
			continue
		}
		rest = append(rest, MetaRow{Key: oneLine(e.Key), Value: textLink(e.Value), Source: sourceText(e.Source)})
	}
	return about, rest
}

// sourceText says where a catalog.Entry was set, for people: a
// platform's "label" is a label of its image config.
func sourceText(source string) string {
	if source == "label" {
		return "config label"
	}
	return source
}

// normalRows is the view of catalog.Normalized.
func normalRows(meta []catalog.Entry) []NormalRow {
	var out []NormalRow
	for _, n := range catalog.Normalized(meta) {
		out = append(out, NormalRow{OCI: n.OCI, Key: oneLine(n.Key), Value: Link{Text: labelText(n.Value), Href: webURL(n.Value)}, Source: sourceText(n.Source)})
	}
	return out
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
		st := Step{Created: timeView(h.Created), CreatedBy: r.stepText(h.CreatedBy), Comment: oneLine(h.Comment), Empty: h.EmptyLayer}
		if !h.EmptyLayer {
			layer++
			st.LayerNumber = layer
			steps = append(steps, st.CreatedBy)
		}
		pv.History = append(pv.History, st)
	}
	pv.Mismatch = len(c.History) > 0 && len(steps) != len(p.Layers)
	if !pv.Mismatch && !slices.ContainsFunc(pv.History, func(st Step) bool { return st.Empty || st.Comment != "" }) {
		pv.History = nil // the layers table's Made by column shows every step
	}
	for i, l := range p.Layers {
		row := LayerRow{Index: i + 1, Digest: oneLine(l.Digest), Short: shortDigest(oneLine(l.Digest)), Size: sizeView(l.Size), MediaType: oneLine(l.MediaType)}
		if !pv.Mismatch && i < len(steps) {
			row.Step = steps[i]
		}
		pv.Layers = append(pv.Layers, row)
	}
	return pv
}
