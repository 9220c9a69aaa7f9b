package render

import (
	"html/template"

	"github.com/regcat/regcat/changes"
)

// The types in this file are the data the templates receive: one page
// type per page template, each embedding Page. They are the contract for
// templates overridden with Config.TemplatesDir. Every string in them is
// registry text already cleaned of invalid UTF-8, control and
// bidirectional formatting characters, and is escaped by html/template;
// the only HTML is Description, rendered by goldmark in safe mode. Every
// Href is a relative path inside the site, or an http(s) URL.

// Page is what every page has.
type Page struct {
	// Title is the page's own title; Site is the site title.
	Title, Site string
	// Root leads from the page to the site root: "" for top-level pages,
	// "../../" for repository and image pages, the base URL on 404.html.
	Root string
	// Canonical is the page's absolute URL when a base URL is set.
	Canonical string
	// Registry is the registry host the snapshot was crawled from.
	Registry string
	// CrawledAt is when the crawl started. It is empty on repository
	// and image pages, so that a crawl that did not change a repository
	// leaves its pages byte for byte (and the re-render links them).
	CrawledAt Time
	// Failures counts everything failures.html lists.
	Failures int
	// Rebuild counts the images rebuild.html lists: built on a base tag
	// that has moved since.
	Rebuild int
	// RepoFeed is the Atom feed of the page's repository (beside its
	// page), "" on pages of the whole site; every page links Root +
	// "feed.xml", the site's feed.
	RepoFeed string
	// Up leads to the landing page of a site of several registries,
	// which this page's registry is part of; empty on a site of one.
	Up Link
	// Landing is set on the top pages of a site of several registries,
	// which has none of a catalog's files: no feed, search index, label
	// index or other catalog pages for the header to link.
	Landing bool
}

// Time is a point in time from the snapshot. ISO is RFC 3339 for a
// datetime attribute and sorting; Text is for people ("2024-05-01 12:00
// UTC"). Both are empty when the time is unknown.
type Time struct{ ISO, Text string }

// Size is a size in bytes with its human form in decimal units.
type Size struct {
	Bytes int64
	Text  string
}

// Link is a piece of text that links to Href, or plain text when Href is
// empty.
type Link struct{ Text, Href string }

// IndexPage is the data of index.html.
type IndexPage struct {
	Page
	Repos, Tags, Images int
	Namespaces          []Namespace
	// Truncated is set when the catalog listed more repositories than
	// the crawl's cap (--max-repos) kept.
	Truncated *Truncation
}

// Truncation says that a list was cut at the crawl's cap: Limit names
// were kept of at least Listed that the registry listed before listing
// stopped.
type Truncation struct{ Limit, Listed int }

// Namespace is a group of repositories sharing the path before their last
// "/" ("" for top-level repositories). ID is a fragment identifier.
type Namespace struct {
	Name, ID string
	Repos    []RepoRow
}

// RepoRow is one repository on the index. Title, Description and Size
// are those of the repository's default image (the one tagged
// Config.BadgeTag, else its newest tagged image), which DefaultTag names
// (empty when it has no tag); NewestTag and Created are those of its
// newest image by creation time.
type RepoRow struct {
	Name, Href, Title, Description string
	Tags, Images                   int
	DefaultTag                     string
	NewestTag                      Link
	Created                        Time
	// Size is that of one platform when the default image is an index:
	// the one SizePlatform names ("os/arch[/variant]"), as on the badges.
	Size         Size
	SizePlatform string
	Failures     int
	// Truncated is set when the crawl kept fewer tags than the registry
	// listed (see RepoPage.Truncated).
	Truncated bool
}

// RepoPage is the data of repo.html. Title, Description, Links and Pull
// describe the repository's default image (see RepoRow).
type RepoPage struct {
	Page
	Name, Title string
	Description template.HTML
	Links       []Field
	Pull        []Command
	Tags        int
	// History is this page's rows of the tag history: at most
	// Config.PageSize images, newest first, continuing the previous page.
	History []HistoryRow
	// Pager links the pages of a history longer than one page; nil when
	// it fits on one. Badges, Failures and Skipped are on the first page
	// only.
	Pager *Pager
	// Truncated is set when the registry listed more tags than the
	// crawl's cap (--max-tags) kept.
	Truncated *Truncation
	Failures  []FailureRow
	Skipped   []SkippedRow
	// Unattached are the referrers and cosign tags whose content is not
	// on an image page: tags of digests that are not images of the
	// repository, and tag-schema tags the referrers API answered for.
	Unattached []SkippedRow
	JSON       string
	Badges     *BadgesView
	// SizeChart is the image size over time, nil with fewer than two
	// tagged images of known creation time.
	SizeChart *Chart
	// Changes are the repository's recent changes from the change log,
	// newest first, at most 20; MoreChanges counts the rest (on
	// changes.html).
	Changes     []ChangeEntry
	MoreChanges int
}

// Chart is a chart shown as an SVG image (Src, relative to the page, of
// Width × Height pixels, described by Alt).
type Chart struct {
	Src, Alt      string
	Width, Height int
}

// Graph is a lineage graph drawn as inline SVG: the base image's box
// (Base) and a box per repository built on it (Nodes, each linked to its
// page, with the edge from the base), at pixel coordinates in a Width ×
// Height box; More counts the repositories left out. Title and Desc
// describe it for assistive technology.
type Graph struct {
	Width, Height int
	Title, Desc   string
	Base          GraphNode
	Nodes         []GraphNode
	More          int
}

// GraphNode is a box of a Graph: its rectangle, where its Label and Sub
// text go, its link, and the edge (X1,Y1)–(X2,Y2) that leads to it.
type GraphNode struct {
	X, Y, W, H         int
	TextX, TextY, SubY int
	Label, Sub, Href   string
	X1, Y1, X2, Y2     int
}

// Pager is the navigation between the pages of a repository's tag
// history. Prev and Next are empty on the first and the last page.
// Every Href is a file name in the repository's directory.
type Pager struct {
	Page, Pages int
	Prev, Next  string
	Links       []PagerLink
}

// PagerLink is one numbered link of a Pager, or a gap (Gap set) where
// pages far from the current one are left out.
type PagerLink struct {
	Number  int
	Href    string
	Current bool
	Gap     bool
}

// Field is a named value, possibly linked. The keys it came from are in
// the image page's table of normalised metadata.
type Field struct {
	Name string
	Link
}

// Command is a shell command with a short label, shown with a copy
// button.
type Command struct{ Label, Text string }

// HistoryRow is one image in a repository's tag history: all its tags
// (aliases), newest first across the repository.
type HistoryRow struct {
	Tags          []string
	Href          string
	Digest, Short string
	Created       Time
	// Size is that of the platform SizePlatform names for an index (see
	// RepoRow), else of the image.
	Size              Size
	SizePlatform      string
	Kind, Platforms   string
	Version, Revision Link
	// Base is "rebuild" when a base tag of the image has moved to
	// another image, "current" when its base is known to be current,
	// else ""; BaseNote says it in a sentence.
	Base, BaseNote string
	// Markers say whether the image is signed, has an SBOM, provenance.
	Markers []Marker
	// Tagged is when the newest of Tags got this image, as far as the
	// change log knows; unknown otherwise.
	Tagged Time
}

// ImagePage is the data of image.html.
type ImagePage struct {
	Page
	Repo            Link
	Digest, Short   string
	Kind, MediaType string
	ArtifactType    string
	Tags            []string
	Description     template.HTML
	Created         Time
	Author          string
	Size            Size // of an index, the total of its platforms
	Pull            []Command
	About           []Field
	// Normalized lists the labels and annotations with an OCI
	// pre-defined key or a Label Schema key, under their OCI keys (see
	// NormalRow).
	Normalized []NormalRow
	// SchemaKeys is set when Normalized holds a Label Schema key.
	SchemaKeys   bool
	Metadata     []MetaRow
	Platforms    []PlatformView
	Attestations []Attestation
	// Supply are the signatures, SBOMs and attestations of the image;
	// SupplyTruncated is set when the crawl kept only some referrers.
	Supply            []SupplyRow
	SupplyTruncated   *Truncation
	ArtifactBlobs     []Blob
	Subject           Link
	BaseName, BaseRef string // from annotations, when not found in the snapshot
	Bases             []Relative
	// BaseStates say, for each base, whether its tag still points at
	// the image this one was built on.
	BaseStates   []BaseView
	Children     []Relative
	MoreChildren int
	// Graph shows the repositories built on this image, nil when none.
	Graph   *Graph
	ShowEnv bool
	JSON    string
	Badges  *BadgesView
}

// MetaRow is a label or annotation that is not one of the well-known keys
// shown in About.
type MetaRow struct {
	Key    string
	Value  Link
	Source string
}

// NormalRow is a label or annotation shown under the OCI key it means:
// OCI is that key ("" for a Label Schema key with no OCI equivalent),
// Key the key it was set under, Source where (see MetaRow).
type NormalRow struct {
	OCI, Key string
	Value    Link
	Source   string
}

// PlatformView is one runnable image of an image page. ID is the id of
// its element on the page ("platform-1" for the first).
type PlatformView struct {
	ID                  string
	Name, Digest, Short string
	Size                Size
	Created             Time
	Author, User, Dir   string
	Entrypoint, Cmd     string
	Ports               []string
	// Env is empty unless Config.ShowEnv; EnvHidden counts what is hidden.
	Env       []string
	EnvHidden int
	Layers    []LayerRow
	// History is every build step, including those that made no layer;
	// nil when Layers shows them all: when every step made a layer and
	// none has a comment.
	History []Step
	// Mismatch is set when the build history does not match the layers,
	// so layers are shown without steps.
	Mismatch bool
}

// LayerRow is one layer with the build step that made it.
type LayerRow struct {
	Index         int
	Digest, Short string
	Size          Size
	MediaType     string
	Step          string
}

// Step is one build history entry.
type Step struct {
	Created     Time
	CreatedBy   string
	Comment     string
	Empty       bool
	LayerNumber int // 1-based index of the layer it made, 0 when Empty
}

// Blob is a descriptor that is not a platform: an attestation or an
// artifact's blob.
type Blob struct {
	Digest, Short, MediaType, ArtifactType string
	Size                                   Size
}

// Attestation is an index entry that is not a platform: a buildx
// attestation manifest, an artifact, a nested index.
type Attestation struct {
	Blob
	// RefDigest and RefType are the entry's vnd.docker.reference.digest
	// and vnd.docker.reference.type annotations (buildx sets them on
	// attestation manifests: the platform manifest attested, and
	// "attestation-manifest"); empty when not given.
	RefDigest, RefType string
	// Attests is the platform RefDigest names, linked to it on the page;
	// when the index has no such platform, RefDigest shortened and not
	// linked; empty without RefDigest.
	Attests Link
}

// Relative is an image related to this one: a base image or an image
// built on it.
type Relative struct {
	Repo, Tags, Short, Href string
	Created                 Time
	Via                     string
}

// FailuresPage is the data of failures.html.
type FailuresPage struct {
	Page
	Rows    []FailureRow
	Skipped []SkippedRow
}

// FailureRow is something the crawl could not read.
type FailureRow struct {
	Repo                   Link
	Tag, Digest, Op, Error string
	Status                 int
}

// SkippedRow is a name the crawl did not crawl, and why.
type SkippedRow struct{ Repo, Name, Reason string }

// NotFoundPage is the data of 404.html.
type NotFoundPage struct{ Page }

// BadgesView is the "Get the badges" section of a repository or image
// page: a table of one directory's badges with their URLs, and snippets
// that embed the first (version); or on an image page none of whose
// tags has badges of its own, a link to the repository page's section.
type BadgesView struct {
	// Note says which image the badges show and, without a base URL,
	// what the URLs are relative to.
	Note string
	// RepoPage, when set, is the repository page (relative to this page)
	// whose section has the badges this page would show; Badges is then
	// empty, and Note ends the sentence "the badges of the repository …".
	RepoPage string
	Badges   []BadgeView
	// Kind is the kind of Badges[0]. Markdown, HTML and RST embed it
	// linked to its page: with
	// absolute URLs when a base URL is set, else with paths relative to
	// the site root. Their alt text names the repository and kind, which
	// does not go stale as the badge changes. Those of another badge
	// differ only in its URL and kind.
	Kind, Markdown, HTML, RST string
	// JSON is the URL of the directory's badges.json, in the form of
	// BadgeView.URL.
	JSON string
}

// BadgeView is one badge of a BadgesView.
type BadgeView struct {
	// Title is the badge's kind ("version", "size", …).
	Title string
	// Image is the SVG's path relative to the page; Alt says what it
	// shows now ("version: 1.2.3"); Width and Height are its size in
	// pixels.
	Image, Alt    string
	Width, Height int
	// URL is the SVG's URL for use outside the site: absolute when a base
	// URL is set, else its path relative to the site root.
	URL string
}

// LabelsPage is the data of labels/index.html: every label and
// annotation key of the catalog. Images counts the catalog's images,
// Unlabelled those with no label or annotation at all; JSON leads to
// api/labels.json.
type LabelsPage struct {
	Page
	Keys               []LabelKeyRow
	Images, Unlabelled int
	JSON               string
}

// LabelKeyRow is one key on the label index: how many images carry it
// and with how many distinct values; Href is its page.
type LabelKeyRow struct {
	Key, Href      string
	Images, Values int
}

// LabelPage is the data of a key's page: its values, at most a thousand
// of them, MoreValues counting those left out.
type LabelPage struct {
	Page
	Key        string
	Images     int
	Values     []LabelValueRow
	MoreValues int
	JSON       string
}

// LabelValueRow is one value of a key and the images that carry it, at
// most ten of them, MoreImages counting those left out.
type LabelValueRow struct {
	Value      string
	Images     []Relative
	MoreImages int
}

// BaseView is what is known of one base of an image: Name as declared
// (org.opencontainers.image.base.name) or found ("repo:tag"); Status
// "current", "moved" (Stale) or "unknown" (Note says why); Built the
// image it was built on and Now the one Tag points at now, each linked
// when in the catalog; Newer how much newer Now is ("3 weeks newer").
type BaseView struct {
	Name, Status string
	Stale        bool
	Tag, Note    string
	Built, Now   Link
	NowCreated   Time
	Newer        string
}

// CoveragePage is the data of coverage.html: for the catalog (All) and
// each repository, the share of images carrying each of Keys (the
// recommended OCI keys by short name), and of those with no labels,
// inherited labels, invalid values or a stale base; then the findings of
// the lint rules, at most maxFindings (MoreFindings counts the rest).
type CoveragePage struct {
	Page
	Keys         []string
	All          CoverageRow
	Repos        []CoverageRow
	Findings     []FindingRow
	MoreFindings int
}

// CoverageRow is the coverage of a set of images; Keys are in the order
// of CoveragePage.Keys.
type CoverageRow struct {
	Repo                                    Link
	Images                                  int
	Keys                                    []Share
	NoLabels, Inherited, Invalid, StaleBase Share
}

// Share is a count of images and its share of a row's images ("67%").
type Share struct {
	Count   int
	Percent string
}

// FindingRow is one finding of the lint rules: the image, the rule id
// and what is wrong.
type FindingRow struct {
	Repo, Image   Link
	Rule, Message string
}

// RebuildPage is the data of rebuild.html: every image built on a base
// tag that now points at another image, in catalog order.
type RebuildPage struct {
	Page
	Rows []RebuildRow
}

// RebuildRow is an image to rebuild and its base.
type RebuildRow struct {
	Image Link
	Base  BaseView
}

// ChangesPage is the data of changes.html: the change log's entries,
// newest first, at most 200 in all, grouped by crawl; More counts those
// left out.
type ChangesPage struct {
	Page
	Crawls []CrawlChanges
	More   int
}

// CrawlChanges is what one crawl changed: its time, the previous crawl's
// (Since), the summary over all repositories and one entry per
// repository. ID is a stable fragment identifier.
type CrawlChanges struct {
	ID          string
	When, Since Time
	Summary     string
	Entries     []ChangeEntry

	set *changes.Set
}

// ChangeEntry is what one crawl changed in one repository. ID is a
// stable fragment identifier; Repo links to the repository page when it
// still exists (and the page is not the repository's own); When and
// Since are the crawl times of both sides; Status is "added", "removed"
// or "changed". Each list holds at most 50 items in all; More counts the
// rest.
type ChangeEntry struct {
	ID            string
	Repo          Link
	Status        string
	When, Since   Time
	Summary       string
	New           []TagChange
	Moved         []TagChange
	Deleted       []TagChange
	NewImages     []DigestLink
	DeletedImages []DigestLink
	More          int
}

// TagChange is a tag that was added (New), moved (Old → New) or
// deleted (Old).
type TagChange struct {
	Tag      string
	Old, New DigestLink
}

// DigestLink is a digest, linked to its image page when the image is
// still in the catalog.
type DigestLink struct{ Digest, Short, Href string }
