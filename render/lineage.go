package render

import (
	"cmp"
	"crypto/sha256"
	"slices"
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
func platformChains(im *imagePlan) [][]chainKey {
	var out [][]chainKey
	for _, p := range im.im.Platforms {
		if len(p.Config.DiffIDs) > 0 {
			out = append(out, chains('d', p.Config.DiffIDs))
		}
		if len(p.Layers) > 0 {
			ids := make([]string, len(p.Layers))
			for i, l := range p.Layers {
				ids[i] = l.Digest
			}
			out = append(out, chains('l', ids))
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
func linkLineage(images []*imagePlan) {
	byDigest := map[string][]*imagePlan{}
	full := map[chainKey][]*imagePlan{}
	all := make([][][]chainKey, len(images))
	for i, im := range images {
		byDigest[im.im.Digest] = append(byDigest[im.im.Digest], im)
		for _, p := range im.im.Platforms {
			if p.Digest != im.im.Digest {
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
		var bases []baseRef
		if d := label(im.im, keyBaseDig); d != "" {
			for _, b := range byDigest[d] {
				if b != im {
					bases = append(bases, baseRef{b, "annotation"})
				}
			}
		}
		if len(bases) == 0 {
			for _, ch := range all[i] {
				for k := len(ch) - 2; k >= 0; k-- {
					found := false
					for _, b := range full[ch[k]] {
						if b != im {
							bases = append(bases, baseRef{b, "layers"})
							found = true
						}
					}
					if found {
						break
					}
				}
			}
		}
		slices.SortFunc(bases, func(a, b baseRef) int { return compareImages(a.image, b.image) })
		bases = slices.CompactFunc(bases, func(a, b baseRef) bool { return a.image == b.image })
		im.bases = bases
		for _, b := range bases {
			b.image.children = append(b.image.children, im)
		}
	}
	for _, im := range images {
		slices.SortFunc(im.children, compareImages)
	}
}

// baseRef is a base image and how it was found.
type baseRef struct {
	image *imagePlan
	via   string // "annotation" or "layers"
}

// compareImages orders images by repository name, newest first, then
// digest.
func compareImages(a, b *imagePlan) int {
	return cmp.Or(
		cmp.Compare(a.repo.name, b.repo.name),
		b.im.Created.Compare(a.im.Created),
		cmp.Compare(a.im.Digest, b.im.Digest),
	)
}
