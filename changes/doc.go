// Package changes owns what changed between two snapshots of a registry
// and the history of those changes kept with the snapshot.
//
// [Diff] derives a [Set] from two snapshots (a [Differ] does it one
// repository at a time, as a crawl completes them): repositories added and
// removed; per repository the tags added, moved (old digest → new digest)
// and deleted, and the images (top-level digests) added and removed; with
// the crawl time of both sides. A Set is deterministic and sorted, encodes
// to JSON with the stable field names documented on its types (see
// docs/snapshot.md, "Change log"), and says itself in one line
// ([Set.Summary]).
//
// The change log is a directory "changes" in the snapshot directory with
// one file per run that changed something, named by its crawl time so
// that the names sort by time ([FileName]). [ReadLog] reads it, [Log.Add]
// appends and prunes, and [Log.Files] gives the files that
// snapshot.Writer.Commit (or snapshot.WriteWith) stores together with the
// snapshot, in one atomic commit. The package imports only the standard
// library and snapshot.
package changes
