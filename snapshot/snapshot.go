// Package snapshot is the contract between crawling and rendering: the
// versioned Go types of a registry catalog snapshot, their deterministic JSON
// encoding, validation, atomic reading and writing of a snapshot
// directory, and the sharding rule with the merge of shards into one
// snapshot ([ShardOf], [Merge]).
//
// A snapshot directory holds index.json (an [Index]) and one JSON file per
// repository (a [Repository]) at the path given by [RepoPath]. It is
// written whole ([Write]) or one repository at a time ([Writer]), and read
// whole ([Read]) or one repository at a time ([Open], a [Source]). The
// package imports only the standard library and internal/sitefs, its
// directory writer.
package snapshot

import "time"

// SchemaVersion is the version of the snapshot format written by this
// package. A breaking change to any type here bumps it. Readers also accept
// versions 1 and 2 (see [DecodeIndex] and [DecodeRepository]) and reject
// other versions with [ErrSchemaVersion]. Version 3 added the referrers of
// an image ([Image.Referrers], [Repository.ReferrerTags]), the predicate
// types of attestation manifests ([Descriptor.PredicateTypes]), the shard
// of a partial crawl ([Index.Shard]), [Config.DockerVersion] and the change log (package changes)
// beside the snapshot's files.
const SchemaVersion = 3

// Index is the content of a snapshot's index.json.
type Index struct {
	// SchemaVersion is always [SchemaVersion] when written by this package.
	SchemaVersion int `json:"schemaVersion"`
	// Registry is the registry host (host[:port]); never holds credentials.
	Registry string `json:"registry"`
	// CrawledAt is when the crawl started, in UTC. It is the only wall-clock
	// time in a snapshot.
	CrawledAt time.Time `json:"crawledAt"`
	// Repositories summarises every crawled repository, sorted by Name.
	Repositories []RepoSummary `json:"repositories"`
	// Failures lists registry-level failures (for example a _catalog page
	// that could not be read), sorted by [SortFailures].
	Failures []Failure `json:"failures,omitempty"`
	// Skipped lists repository names from the catalog that were not crawled
	// because they are invalid, sorted by Name.
	Skipped []Skipped `json:"skipped,omitempty"`
	// Truncated is set when the catalog listing stopped at the crawl's cap
	// on repositories: only the first Limit names (in byte order of those
	// read) were crawled. nil when the catalog was read to its end, or not
	// read at all (repositories named by the user).
	Truncated *Truncation `json:"truncated,omitempty"`
	// Shard is set when the crawl covered one shard of the registry: only
	// the repositories (and skipped names) that fall in it by [ShardOf].
	// nil for a whole crawl, and for a snapshot merged from shards.
	Shard *Shard `json:"shard,omitempty"`
}

// Truncation records a list that the crawl stopped reading at a cap.
// What was kept is complete; the rest was never listed, so it is neither a
// failure nor known to exist.
type Truncation struct {
	// Limit is the cap in force: how many names were kept.
	Limit int `json:"limit"`
	// Listed is how many distinct names were read before listing stopped,
	// more than Limit. The registry may hold more still.
	Listed int `json:"listed"`
}

// RepoSummary is the index entry of one repository, derived from its
// [Repository] by [Summarize].
type RepoSummary struct {
	// Name is the repository name, for example "team-a/api".
	Name string `json:"name"`
	// Path is the repository file, relative to the snapshot directory, as
	// given by [RepoPath].
	Path string `json:"path"`
	// Tags is the number of tags crawled.
	Tags int `json:"tags"`
	// Images is the number of distinct top-level digests.
	Images int `json:"images"`
	// DefaultTag is the tag by which the repository's default image is
	// found (see [DefaultImage]): PreferredTag when an image has it, else
	// the display tag of the newest tagged image; empty when the default
	// image is untagged or there is none.
	DefaultTag string `json:"defaultTag,omitempty"`
	// LastCreated is the newest image's creation time, if known.
	LastCreated time.Time `json:"lastCreated,omitzero"`
	// Size is the default image's total compressed size in bytes.
	Size int64 `json:"size,omitempty"`
	// Title and Description come from the default image's labels.
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Failures counts the repository's recorded failures.
	Failures int `json:"failures,omitempty"`
}

// Repository is the content of one repository file.
type Repository struct {
	SchemaVersion int    `json:"schemaVersion"`
	Name          string `json:"name"`
	// Tags maps every crawled tag to its digest, sorted by Name.
	Tags []Tag `json:"tags"`
	// Images holds one record per distinct top-level digest, sorted by
	// Digest.
	Images []Image `json:"images"`
	// Failures lists tags or digests that could not be crawled.
	Failures []Failure `json:"failures,omitempty"`
	// Skipped lists tags that were not crawled because they are invalid.
	Skipped []Skipped `json:"skipped,omitempty"`
	// Truncated is set when the tag listing stopped at the crawl's cap on
	// tags: only the first Limit tags (in byte order of those read) were
	// crawled. nil when the tag list was read to its end.
	Truncated *Truncation `json:"truncated,omitempty"`
	// ReferrerTags are the tags that hold referrers rather than releases:
	// the OCI referrers tag schema's "sha256-<hex>" and cosign's
	// "sha256-<hex>.sig", ".att" and ".sbom". They are not in Tags; what
	// they hold is in the Referrers of the image they name. Sorted by Name.
	ReferrerTags []ReferrerTag `json:"referrerTags,omitempty"`
}

// Tag points a tag name at an image digest.
type Tag struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
}

// Kind says what a top-level manifest is.
type Kind string

// The kinds of top-level manifest.
const (
	// KindImage is a single-platform image manifest (OCI or Docker v2).
	KindImage Kind = "image"
	// KindIndex is an OCI image index or a Docker manifest list.
	KindIndex Kind = "index"
	// KindArtifact is a manifest whose config is not an image config, or
	// that sets artifactType.
	KindArtifact Kind = "artifact"
	// KindSchema1 is a legacy Docker schema 1 manifest.
	KindSchema1 Kind = "schema1"
)

// Image is one top-level manifest, identified by digest, with everything the
// crawl learned about it. Single-platform images have exactly one entry in
// Platforms whose Digest equals the image Digest; indexes have one per
// platform child.
type Image struct {
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	Kind      Kind   `json:"kind"`
	// Tags lists every tag that points at this digest (aliases), sorted.
	Tags []string `json:"tags"`
	// ArtifactType is the manifest's artifactType, or the config media type
	// of an artifact.
	ArtifactType string `json:"artifactType,omitempty"`
	// Annotations are the manifest's or index's own annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Created is the newest platform config's creation time, if any.
	Created time.Time `json:"created,omitzero"`
	// Size is the total compressed size in bytes: for an image its config
	// plus layers; for an index the sum over its platforms.
	Size int64 `json:"size"`
	// Platforms are the runnable images, sorted by OS, Architecture,
	// Variant, OSVersion, Digest.
	Platforms []Platform `json:"platforms,omitempty"`
	// Attestations are the index entries that are not platforms, kept as
	// found and sorted by Digest: buildx attestation manifests (platform
	// unknown/unknown), artifact manifests, nested indexes and entries of
	// unknown media type.
	Attestations []Descriptor `json:"attestations,omitempty"`
	// Layers of an artifact manifest (its blobs), in manifest order.
	Layers []Layer `json:"layers,omitempty"`
	// Subject is the digest of the manifest an artifact refers to, if any.
	Subject string `json:"subject,omitempty"`
	// Referrers are the manifests that refer to this image or to one of
	// its platforms (signatures, SBOMs, attestations), found with the
	// registry's referrers API, the referrers tag schema or cosign's tags,
	// sorted by Subject, Digest. Each digest appears once per subject.
	Referrers []Referrer `json:"referrers,omitempty"`
	// ReferrersTruncated is set when the image had more referrers than the
	// crawl keeps: Limit were kept, Listed were read.
	ReferrersTruncated *Truncation `json:"referrersTruncated,omitempty"`
}

// Platform is one runnable image manifest and its config.
type Platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
	OSVersion    string `json:"osVersion,omitempty"`
	// Digest and MediaType are those of the platform's image manifest.
	Digest    string `json:"digest"`
	MediaType string `json:"mediaType"`
	// Annotations are the image manifest's annotations.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Size is the compressed size in bytes: config plus layers.
	Size   int64   `json:"size"`
	Config Config  `json:"config"`
	Layers []Layer `json:"layers"`
}

// Config is what the crawl keeps of an image config blob.
type Config struct {
	Digest  string    `json:"digest,omitempty"`
	Created time.Time `json:"created,omitzero"`
	Author  string    `json:"author,omitempty"`
	// DockerVersion is the config's docker_version: the Docker version
	// that built the image (the classic builder sets it), since schema
	// version 3.
	DockerVersion string            `json:"dockerVersion,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	Env           []string          `json:"env,omitempty"`
	Entrypoint    []string          `json:"entrypoint,omitempty"`
	Cmd           []string          `json:"cmd,omitempty"`
	WorkingDir    string            `json:"workingDir,omitempty"`
	User          string            `json:"user,omitempty"`
	// ExposedPorts are sorted, for example "8080/tcp".
	ExposedPorts []string  `json:"exposedPorts,omitempty"`
	History      []History `json:"history,omitempty"`
	// DiffIDs are the uncompressed layer digests from rootfs.diff_ids.
	DiffIDs []string `json:"diffIDs,omitempty"`
}

// History is one build step of an image config, in config order.
type History struct {
	Created    time.Time `json:"created,omitzero"`
	CreatedBy  string    `json:"createdBy,omitempty"`
	Author     string    `json:"author,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	EmptyLayer bool      `json:"emptyLayer,omitempty"`
}

// Layer is one layer (or artifact blob) descriptor, in manifest order.
type Layer struct {
	Digest      string            `json:"digest"`
	MediaType   string            `json:"mediaType"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Descriptor is a content descriptor kept as found, for index entries that
// are not platforms.
type Descriptor struct {
	Digest       string            `json:"digest"`
	MediaType    string            `json:"mediaType"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	// PredicateTypes are the in-toto predicate types of the statements in
	// a buildx attestation manifest, sorted and distinct; empty for other
	// entries and when the crawl could not tell.
	PredicateTypes []string `json:"predicateTypes,omitempty"`
}

// Failure records something that could not be crawled. The crawl goes on.
type Failure struct {
	// Repo, Tag and Digest locate the failure; empty when not applicable.
	Repo   string `json:"repo,omitempty"`
	Tag    string `json:"tag,omitempty"`
	Digest string `json:"digest,omitempty"`
	// Op is what was being done: "catalog", "tags", "manifest", "config",
	// "referrers".
	Op string `json:"op"`
	// Status is the HTTP status, when the registry answered with one.
	Status int `json:"status,omitempty"`
	// Error is a human-readable reason without credentials or URL queries.
	Error string `json:"error"`
}

// Skipped records a name from the registry that was not crawled.
type Skipped struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Snapshot is a whole snapshot in memory: the index and every repository,
// in the same order as Index.Repositories.
type Snapshot struct {
	Index        Index
	Repositories []Repository
}
