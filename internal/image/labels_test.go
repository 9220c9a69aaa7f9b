package image

import (
	"github.com/regcat/regcat/snapshot"
)

// recommended are the OCI keys regcat's image must carry: those the
// metadata-coverage issue recommends, but base.name and base.digest (the
// image has no base: it starts from an empty root filesystem).
var recommended = []string{
	snapshot.KeyTitle, snapshot.KeyDescription, snapshot.KeySource, snapshot.KeyRevision,
	snapshot.KeyVersion, snapshot.KeyLicenses, snapshot.KeyCreated, snapshot.KeyVendor,
	snapshot.KeyURL, snapshot.KeyDocumentation,
}
