package lint

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/regcat/regcat/catalog"
	"github.com/regcat/regcat/snapshot"
)

// The rule ids of findings (see the package doc).
const (
	RuleMissingKey      = "missing-key"
	RuleNoLabels        = "no-labels"
	RuleInheritedLabel  = "inherited-label"
	RuleInvalidLicenses = "invalid-licenses"
	RuleInvalidURL      = "invalid-url"
	RuleInvalidRevision = "invalid-revision"
	RuleInvalidCreated  = "invalid-created"
	RuleCreatedMismatch = "created-mismatch"
	RuleFutureCreated   = "future-created"
	RuleStaleBase       = "stale-base"
)

// Rules are every rule id, in the order of the package doc.
var Rules = []string{
	RuleMissingKey, RuleNoLabels, RuleInheritedLabel, RuleInvalidLicenses, RuleInvalidURL,
	RuleInvalidRevision, RuleInvalidCreated, RuleCreatedMismatch, RuleFutureCreated, RuleStaleBase,
}

// IsRule reports whether id is one of Rules.
func IsRule(id string) bool { return slices.Contains(Rules, id) }

// Tolerances of the date rules.
const (
	// CreatedTolerance is how far a created label may be from the
	// config's created time: CI usually stamps the label when the job
	// starts and the builder the config when it ends.
	CreatedTolerance = 15 * time.Minute
	// FutureTolerance is how far after the crawl started a date may be:
	// an image pushed while the crawl runs is newer than its start.
	FutureTolerance = time.Hour
)

// ociPrefix is the prefix of the OCI pre-defined annotation keys.
const ociPrefix = "org.opencontainers.image."

// Recommended are the OCI keys that coverage counts, by short name (see
// Key), in display order.
var Recommended = []string{
	"title", "description", "source", "revision", "version", "licenses",
	"created", "vendor", "url", "documentation", "base.name", "base.digest",
}

// Key returns the key a name stands for: a short name of the OCI
// pre-defined keys ("source", "base.name") gives the full key
// ("org.opencontainers.image.source"); any other name is a key already.
func Key(name string) string {
	if slices.Contains(Recommended, name) || name == "authors" || name == "ref.name" {
		return ociPrefix + name
	}
	return name
}

// Options say what Check looks for besides its rules. The zero value
// requires nothing.
type Options struct {
	// Require are keys (full or short, see Key) that every image must
	// carry; each one an image lacks is a missing-key finding.
	Require []string
}

// Finding is one rule an image breaks. Value is the offending value,
// cut to maxValue runes, "" when the rule is about a missing value;
// Message says what is wrong in a sentence, with values quoted and
// escaped (strconv.Quote) so that it holds no control or formatting
// characters.
type Finding struct {
	Repo    string   `json:"repo"`
	Digest  string   `json:"digest"`
	Tags    []string `json:"tags"`
	Rule    string   `json:"rule"`
	Key     string   `json:"key"`
	Value   string   `json:"value"`
	Message string   `json:"message"`
}

// maxValue caps the runes of a value a finding repeats.
const maxValue = 200

// quote is v cut to maxValue runes and quoted with every control and
// formatting character escaped.
func quote(v string) string { return strconv.Quote(snapshot.Truncate(v, maxValue)) }

// Linted reports whether Check looks at an image: images and indexes,
// not artifacts or schema 1 manifests.
func Linted(im *catalog.Image) bool {
	return im.Kind == snapshot.KindImage || im.Kind == snapshot.KindIndex
}

// Check returns the findings of every image of the catalog, sorted by
// repository, digest, rule, key and value.
func Check(cat *catalog.Catalog, opts Options) []Finding {
	bases := map[*catalog.Image][]BaseState{}
	for _, b := range BaseStates(cat) {
		bases[b.Image] = append(bases[b.Image], b)
	}
	var out []Finding
	for _, im := range cat.Images {
		if !Linted(im) {
			continue
		}
		c := &checker{im: im, meta: im.Meta, crawled: cat.Index.CrawledAt}
		c.required(opts.Require)
		c.values()
		c.dates()
		c.inherited(bases[im])
		for _, b := range bases[im] {
			if b.Status == StatusMoved {
				c.add(RuleStaleBase, snapshot.KeyBaseName, b.Name, b.Message())
			}
		}
		out = append(out, c.out...)
	}
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Digest, b.Digest),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value))
	})
	return slices.CompactFunc(out, func(a, b Finding) bool {
		return a.Repo == b.Repo && a.Digest == b.Digest && a.Rule == b.Rule && a.Key == b.Key && a.Value == b.Value
	})
}

// checker collects the findings of one image.
type checker struct {
	im      *catalog.Image
	meta    []catalog.Entry
	crawled time.Time
	out     []Finding
}

func (c *checker) add(rule, key, value, msg string) {
	c.out = append(c.out, Finding{
		Repo: c.im.Repo.Name, Digest: c.im.Digest, Tags: append([]string{}, c.im.Tags...),
		Rule: rule, Key: key, Value: snapshot.Truncate(value, maxValue), Message: msg,
	})
}

// valuesOf are the distinct non-empty values the image gives key, in
// any label or annotation, sorted.
func (c *checker) valuesOf(key string) []string {
	var out []string
	for _, e := range c.meta {
		if e.Key == key && e.Value != "" && (len(out) == 0 || out[len(out)-1] != e.Value) {
			out = append(out, e.Value)
		}
	}
	return out
}

func (c *checker) required(keys []string) {
	for _, k := range keys {
		k = Key(k)
		if len(c.valuesOf(k)) == 0 {
			c.add(RuleMissingKey, k, "", "no "+k+" label or annotation (required)")
		}
	}
	if len(c.meta) == 0 {
		c.add(RuleNoLabels, "", "", "no labels and no annotations at all")
	}
}

// revisionRE matches a commit id, abbreviated or full (SHA-1 or SHA-256).
var revisionRE = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// values checks the syntax of the keys with one.
func (c *checker) values() {
	for _, v := range c.valuesOf(snapshot.KeyLicenses) {
		if err := parseLicense(v); err != nil {
			c.add(RuleInvalidLicenses, snapshot.KeyLicenses, v, fmt.Sprintf("licenses %s is not an SPDX license expression: %s", quote(v), quoteErr(err)))
		}
	}
	for _, k := range []string{snapshot.KeySource, snapshot.KeyURL, snapshot.KeyDocumentation} {
		for _, v := range c.valuesOf(k) {
			if !isWebURL(v) {
				c.add(RuleInvalidURL, k, v, fmt.Sprintf("%s %s is not an http(s) URL", strings.TrimPrefix(k, ociPrefix), quote(v)))
			}
		}
	}
	for _, v := range c.valuesOf(snapshot.KeyRevision) {
		if !revisionRE.MatchString(v) {
			c.add(RuleInvalidRevision, snapshot.KeyRevision, v, fmt.Sprintf("revision %s is not a commit id (7 to 64 hex digits)", quote(v)))
		}
	}
}

// quoteErr is an error's text with control and formatting characters
// escaped as strconv.Quote would, quotes left as they are: parse errors
// quote parts of the value already, this is a second guard.
func quoteErr(err error) string {
	var b strings.Builder
	for _, r := range err.Error() {
		if unicode.IsPrint(r) {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// isWebURL reports whether s is an absolute http or https URL with a
// host.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

// dates checks the created label against the config and the crawl time,
// and the config's own created time against the crawl time.
func (c *checker) dates() {
	var configs []time.Time
	for _, p := range c.im.Platforms {
		if !p.Created.IsZero() {
			configs = append(configs, p.Created)
		}
	}
	future := func(t time.Time) bool {
		return !c.crawled.IsZero() && t.After(c.crawled.Add(FutureTolerance))
	}
	for _, v := range c.valuesOf(snapshot.KeyCreated) {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
		if err != nil {
			c.add(RuleInvalidCreated, snapshot.KeyCreated, v, fmt.Sprintf("created %s is not an RFC 3339 time", quote(v)))
			continue
		}
		if len(configs) > 0 && !slices.ContainsFunc(configs, func(ct time.Time) bool { return absDur(t.Sub(ct)) <= CreatedTolerance }) {
			c.add(RuleCreatedMismatch, snapshot.KeyCreated, v, fmt.Sprintf("created %s is %s away from the config's created time %s",
				quote(v), Duration(absDur(t.Sub(configs[0]))), configs[0].UTC().Format(time.RFC3339)))
		}
		if future(t) {
			c.add(RuleFutureCreated, snapshot.KeyCreated, v, fmt.Sprintf("created %s is %s after the crawl (%s)",
				quote(v), Duration(t.Sub(c.crawled)), c.crawled.UTC().Format(time.RFC3339)))
		}
	}
	if t := c.im.Created; future(t) {
		v := t.UTC().Format(time.RFC3339)
		c.add(RuleFutureCreated, "", v, fmt.Sprintf("the config's created time %s is %s after the crawl (%s)",
			v, Duration(t.Sub(c.crawled)), c.crawled.UTC().Format(time.RFC3339)))
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// inheritedKeys are the config labels a derived image should set itself
// rather than inherit.
var inheritedKeys = []string{snapshot.KeyVersion, snapshot.KeyRevision, snapshot.KeySource, snapshot.KeyTitle}

// inherited reports the config labels whose value is that of the same
// label of a base image in another repository (images of one repository
// share a title and source by right).
func (c *checker) inherited(states []BaseState) {
	var bases []*catalog.Image
	for _, b := range c.im.Bases {
		bases = append(bases, b.Image)
	}
	if len(bases) == 0 {
		for _, st := range states {
			if b := cmp.Or(st.Built, st.Now); b != nil {
				bases = append(bases, b)
			}
		}
	}
	for _, b := range bases {
		if b.Repo == c.im.Repo {
			continue
		}
		// Images built from one monorepo share a source: it counts as
		// inherited only when the revision does not tell them apart.
		ownRevision := slices.ContainsFunc(configLabels(c.im, snapshot.KeyRevision), func(v string) bool {
			return !slices.Contains(configLabels(b, snapshot.KeyRevision), v)
		})
		for _, k := range inheritedKeys {
			if k == snapshot.KeySource && ownRevision {
				continue
			}
			for _, v := range configLabels(c.im, k) {
				if slices.Contains(configLabels(b, k), v) {
					c.add(RuleInheritedLabel, k, v, fmt.Sprintf("%s %s is the base image's (%s), inherited rather than set for this image",
						strings.TrimPrefix(k, ociPrefix), quote(v), Ref(b)))
				}
			}
		}
	}
}

// configLabels are the values of a config label across an image's
// platforms.
func configLabels(im *catalog.Image, key string) []string {
	var out []string
	for _, e := range im.Meta {
		if e.Key == key && e.Source == catalog.SourceLabel && e.Value != "" {
			out = append(out, e.Value) // Meta holds each value once
		}
	}
	return out
}

// Ref names an image as "repo:tag" by its display tag, or "repo@digest"
// (digest shortened) when untagged.
func Ref(im *catalog.Image) string {
	if t := im.DisplayTag(); t != "" {
		return im.Repo.Name + ":" + t
	}
	return im.Repo.Name + "@" + Short(im.Digest)
}

// Short is a digest cut to its algorithm and 12 hex digits
// ("sha256:0123456789ab").
func Short(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}

// Duration says d in the largest unit that fits it at least twice
// ("3 weeks", "5 days", "1 minute"): a whole number, rounded down.
func Duration(d time.Duration) string {
	d = absDur(d)
	const day = 24 * time.Hour
	units := []struct {
		d    time.Duration
		name string
	}{{365 * day, "year"}, {30 * day, "month"}, {7 * day, "week"}, {day, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}}
	for _, u := range units {
		if d >= 2*u.d {
			return strconv.FormatInt(int64(d/u.d), 10) + " " + u.name + "s"
		}
	}
	if d >= time.Minute {
		return "1 minute"
	}
	return "less than a minute"
}
