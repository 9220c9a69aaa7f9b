package catalog

import (
	"cmp"
	"crypto/sha256"
	"slices"

	"github.com/regcat/regcat/snapshot"
)

// chainKey identifies a sequence of layers: like the OCI ChainID, each
// element hashes the previous one with the next layer id.
type chainKey [sha256.Size]byte

// chains returns the chain keys of every prefix of ids; kind keeps chains
// of diff ids and of layer digests apart.
func chains(kind byte, ids []string) []chainKey {
	out := make([]chainKey, len(ids))
	var prev chainKey
	buf := make([]byte, 0, 1+sha256.Size+160)
	for i, id := range ids {
		buf = append(append(append(buf[:0], kind), prev[:]...), id...)
		prev = sha256.Sum256(buf)
		out[i] = prev
	}
	return out
}

// platformChains returns the chains of a platform's diff ids (from the
// config, stable across recompression) and of its layer digests.
func platformChains(im *Image) [][]chainKey {
	var out [][]chainKey
	for _, p := range im.Platforms {
		if len(p.DiffIDs) > 0 {
			out = append(out, chains('d', p.DiffIDs))
		}
		if len(p.Layers) > 0 {
			out = append(out, chains('l', p.Layers))
		}
	}
	return out
}

// linkLineage finds each image's base images and, in reverse, the images
// built on each one. A base is named by the image's
// org.opencontainers.image.base.digest annotation when that digest is in
// the snapshot; otherwise it is found by layers: image B is a base of X
// when all of B's layers are a strict prefix of one of X's platforms, and
// no longer such prefix belongs to another image.
func linkLineage(images []*Image) {
	byDigest := map[string][]*Image{}
	full := map[chainKey][]*Image{}
	all := make([][][]chainKey, len(images))
	for i, im := range images {
		byDigest[im.Digest] = append(byDigest[im.Digest], im)
		for _, p := range im.Platforms {
			if p.Digest != im.Digest {
				byDigest[p.Digest] = append(byDigest[p.Digest], im)
			}
		}
		all[i] = platformChains(im)
		for _, ch := range all[i] {
			k := ch[len(ch)-1]
			if l := full[k]; len(l) == 0 || l[len(l)-1] != im {
				full[k] = append(l, im)
			}
		}
	}
	for i, im := range images {
		var bases []Base
		if d := im.Label(snapshot.KeyBaseDigest); d != "" {
			for _, b := range byDigest[d] {
				if b != im {
					bases = append(bases, Base{b, ViaAnnotation})
				}
			}
		}
		if len(bases) == 0 {
			for _, ch := range all[i] {
				for k := len(ch) - 2; k >= 0; k-- {
					found := false
					for _, b := range full[ch[k]] {
						if b != im {
							bases = append(bases, Base{b, ViaLayers})
							found = true
						}
					}
					if found {
						break
					}
				}
			}
		}
		slices.SortFunc(bases, func(a, b Base) int { return compareImages(a.Image, b.Image) })
		bases = slices.CompactFunc(bases, func(a, b Base) bool { return a.Image == b.Image })
		im.Bases = bases
		for _, b := range bases {
			b.Image.Children = append(b.Image.Children, im)
		}
	}
	for _, im := range images {
		slices.SortFunc(im.Children, compareImages)
	}
}

// Base is a base image of an image and how it was found: Via is
// ViaAnnotation or ViaLayers.
type Base struct {
	Image *Image
	Via   string
}

// How a base image was found.
const (
	// ViaAnnotation: the image's org.opencontainers.image.base.digest
	// names it.
	ViaAnnotation = "annotation"
	// ViaLayers: its layers are a prefix of the image's.
	ViaLayers = "layers"
)

// compareImages orders images by repository name, newest first, then
// digest.
func compareImages(a, b *Image) int {
	return cmp.Or(
		cmp.Compare(a.Repo.Name, b.Repo.Name),
		compareNewest(a, b),
	)
}
