package render

import (
	"cmp"
	"slices"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// Marker is a small note in a tag table row: Text is shown, Title says it
// in full (its text alternative, also read by screen readers as the
// abbreviation's expansion).
type Marker struct{ Class, Text, Title string }

// SupplyRow is one signature, SBOM or attestation of an image page: a
// referrer, or a buildx attestation manifest's statement.
type SupplyRow struct {
	Kind    string
	Type    string // format or predicate type, else the artifactType
	Created Time
	Blob
	// Of says what it refers to: "this image", a platform, or a digest.
	Of     Link
	Source string
	Tag    string
	// Annotations of the referrer manifest, sorted by key.
	Annotations []MetaRow
}

// supplyMarkers are the markers of an image in a tag table: signed, SBOM,
// provenance.
func supplyMarkers(im *snapshot.Image) []Marker {
	s := snapshot.SupplyOf(im)
	var out []Marker
	if len(s.Signed) > 0 {
		out = append(out, Marker{"mark-signed", "signed", "Signed: " + strings.Join(s.Signed, ", ")})
	}
	if len(s.SBOM) > 0 {
		names := make([]string, len(s.SBOM))
		for i, f := range s.SBOM {
			names[i] = sbomName(f)
		}
		out = append(out, Marker{"mark-sbom", "SBOM", "Software bill of materials: " + strings.Join(names, ", ")})
	}
	if s.Provenance {
		out = append(out, Marker{"mark-provenance", "provenance", "Build provenance attestation (SLSA)"})
	}
	return out
}

// kindNames are how a referrer kind is written on pages.
var kindNames = map[snapshot.ReferrerKind]string{
	snapshot.KindSignature:   "Signature",
	snapshot.KindSBOM:        "SBOM",
	snapshot.KindProvenance:  "Provenance",
	snapshot.KindAttestation: "Attestation",
	snapshot.KindOther:       "Other",
}

// sourceNames say how a referrer was found.
var sourceNames = map[string]string{
	snapshot.SourceAPI:       "referrers API",
	snapshot.SourceTagSchema: "referrers tag",
	snapshot.SourceCosign:    "cosign tag",
}

// supplyRows are the rows of an image's "Signatures and attestations"
// section: its referrers (in snapshot order: by subject, digest), then
// its index's attestation manifests that name their predicates, one row
// per predicate type. Every string is registry text, cut to one line.
func supplyRows(im *snapshot.Image, platforms []PlatformView) []SupplyRow {
	of := func(d string) Link {
		switch d {
		case "":
			return Link{}
		case im.Digest:
			return Link{Text: "this image"}
		}
		for _, p := range platforms {
			if p.Digest == d {
				return Link{Text: p.Name, Href: "#" + p.ID}
			}
		}
		return Link{Text: shortDigest(oneLine(d))}
	}
	var rows []SupplyRow
	for _, r := range im.Referrers {
		row := SupplyRow{
			Kind:    cmp.Or(kindNames[r.Kind], "Other"),
			Type:    oneLine(referrerType(r)),
			Created: timeView(r.Created),
			Blob:    blob(r.Digest, r.MediaType, r.ArtifactType, r.Size),
			Of:      of(r.Subject),
			Source:  sourceNames[r.Source],
			Tag:     oneLine(r.Tag),
		}
		keys := make([]string, 0, len(r.Annotations))
		for k := range r.Annotations {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			row.Annotations = append(row.Annotations, MetaRow{Key: oneLine(k), Value: Link{Text: oneLine(r.Annotations[k])}})
		}
		rows = append(rows, row)
	}
	for _, a := range im.Attestations {
		for _, p := range a.PredicateTypes {
			k, _ := snapshot.ClassifyPredicate(p)
			rows = append(rows, SupplyRow{
				Kind:   kindNames[k],
				Type:   oneLine(p),
				Blob:   blob(a.Digest, a.MediaType, a.ArtifactType, a.Size),
				Of:     of(a.Annotations[snapshot.KeyRefDigest]),
				Source: "buildx attestation in the index",
			})
		}
	}
	return rows
}

// referrerType is what a page says a referrer is: its format (SBOMs and
// signatures by name), predicate type, or artifactType.
func referrerType(r snapshot.Referrer) string {
	switch {
	case r.Kind == snapshot.KindSBOM && r.Format != "":
		return sbomName(r.Format)
	case r.Format != "":
		return r.Format
	}
	return r.ArtifactType
}
