// Package actiontest holds the tests of regcat's GitHub Action, the
// composite action described by action.yml at the repository root: its
// metadata is decoded and checked (what actionlint, which lints workflows,
// does not check in a composite action: shells, inputs, outputs, that no
// input is expanded into a script), its scripts are shellchecked, and its
// crawl step is run with a real regcat against in-process registries.
// The package has no code of its own.
package actiontest
