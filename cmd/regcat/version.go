package main

import "runtime/debug"

// version is regcat's version, set at link time by the release and image
// builds (-ldflags "-X main.version=v1.2.3"). When it is empty, the
// module version recorded by go install (for example v1.2.3, or a
// pseudo-version) is used, else "devel".
var version string

// versionString returns the version --version prints.
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
