package lint

import (
	"strings"

	"github.com/regcat/regcat/catalog"
)

// Tally is the metadata coverage of a set of images: how many carry each
// of Recommended (Keys, in that order) and how many have findings of the
// kinds the coverage page shows. Images counts the linted images.
type Tally struct {
	// Repo names the repository, "" for the whole catalog.
	Repo   string
	Images int
	Keys   []int
	// NoLabels, Inherited, Invalid and StaleBase count images with at
	// least one no-labels, inherited-label, invalid value (invalid-*,
	// created-mismatch, future-created) or stale-base finding.
	NoLabels, Inherited, Invalid, StaleBase int
}

// Coverage tallies the catalog as a whole and each repository with a
// linted image (in catalog order), given the findings Check returned.
func Coverage(cat *catalog.Catalog, findings []Finding) (Tally, []Tally) {
	type key struct{ repo, digest string }
	kinds := map[key]map[string]bool{}
	for _, f := range findings {
		k := key{f.Repo, f.Digest}
		if kinds[k] == nil {
			kinds[k] = map[string]bool{}
		}
		kinds[k][kindOf(f.Rule)] = true
	}
	all := Tally{Keys: make([]int, len(Recommended))}
	var repos []Tally
	for _, rp := range cat.Repos {
		t := Tally{Repo: rp.Name, Keys: make([]int, len(Recommended))}
		for _, im := range rp.Images {
			if !Linted(im) {
				continue
			}
			t.Images++
			for i, name := range Recommended {
				if im.RawLabel(Key(name)) != "" {
					t.Keys[i]++
				}
			}
			k := kinds[key{rp.Name, im.Digest}]
			t.NoLabels += count(k[RuleNoLabels])
			t.Inherited += count(k[RuleInheritedLabel])
			t.Invalid += count(k["invalid"])
			t.StaleBase += count(k[RuleStaleBase])
		}
		if t.Images == 0 {
			continue
		}
		repos = append(repos, t)
		all.Images += t.Images
		for i := range t.Keys {
			all.Keys[i] += t.Keys[i]
		}
		all.NoLabels += t.NoLabels
		all.Inherited += t.Inherited
		all.Invalid += t.Invalid
		all.StaleBase += t.StaleBase
	}
	return all, repos
}

// kindOf groups the rules of invalid values as "invalid".
func kindOf(rule string) string {
	if strings.HasPrefix(rule, "invalid-") || rule == RuleCreatedMismatch || rule == RuleFutureCreated {
		return "invalid"
	}
	return rule
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}
