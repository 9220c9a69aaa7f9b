// Package examples holds the demo registry's content: a small, realistic set
// of container images described declaratively in catalog.json (see
// README.md), and the code that builds them with go-containerregistry and
// pushes them to a registry.
//
// Everything is deterministic: layer bytes come from a seeded generator, all
// times come from the catalog, so every run produces the same digests.
// Nothing here touches the network except the registry it is told to fill.
package examples
