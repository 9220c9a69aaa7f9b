package render

import "html/template"

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
	// CrawledAt is when the crawl started.
	CrawledAt Time
	// Failures counts everything failures.html lists.
	Failures int
	// Up leads to the landing page of a site of several registries,
	// which this page's registry is part of; empty on a site of one.
	Up Link
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
	History     []HistoryRow
	// Compact is set when History has more than compactHistory rows:
	// each row then holds one link (to its image page) and neither copy
	// button, full digest nor revision link, so that the page of a
	// repository at the crawler's tag cap stays a few megabytes.
	Compact bool
	// Truncated is set when the registry listed more tags than the
	// crawl's cap (--max-tags) kept.
	Truncated *Truncation
	Failures  []FailureRow
	Skipped   []SkippedRow
	JSON      string
	Badges    []BadgeView
}

// Field is a named value, possibly linked, and the label or annotation
// keys it came from.
type Field struct {
	Name string
	Link
	Keys string
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
}

// ImagePage is the data of image.html.
type ImagePage struct {
	Page
	Repo              Link
	Digest, Short     string
	Kind, MediaType   string
	ArtifactType      string
	Tags              []string
	Description       template.HTML
	Created           Time
	Author            string
	Size              Size // of an index, the total of its platforms
	Pull              []Command
	About             []Field
	Metadata          []MetaRow
	Platforms         []PlatformView
	Attestations      []Attestation
	ArtifactBlobs     []Blob
	Subject           Link
	BaseName, BaseRef string // from annotations, when not found in the snapshot
	Bases             []Relative
	Children          []Relative
	MoreChildren      int
	ShowEnv           bool
	JSON              string
	Badges            []BadgeView
}

// MetaRow is a label or annotation that is not one of the well-known keys
// shown in About.
type MetaRow struct {
	Key    string
	Value  Link
	Source string
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
	// History is every build step, including those that made no layer.
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

// BadgeView is one badge on a repository or image page, with the
// snippets that embed it elsewhere.
type BadgeView struct {
	// Title is the badge's kind ("version", "size", …).
	Title string
	// Image is the SVG's path relative to the page; Alt says what it
	// shows now ("version: 1.2.3"); Width and Height are its size in
	// pixels.
	Image, Alt    string
	Width, Height int
	// Markdown, HTML and RST embed the badge linked to its page: with
	// absolute URLs when a base URL is set, else with paths relative to
	// the site root. Their alt text names the repository and kind, which
	// does not go stale as the badge changes.
	Markdown, HTML, RST string
	// Note says which image the badges of the page show and, without a
	// base URL, what the snippets' paths are relative to; every badge of
	// a page has the same.
	Note string
}
