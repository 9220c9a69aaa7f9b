package render

import (
	"errors"
	"fmt"

	"github.com/regcat/regcat/internal/sitefs"
)

// ErrNotSite is returned when the output directory exists, is not empty
// and does not hold MarkerFile: replacing it could destroy data that
// regcat did not write (think "--out ~").
var ErrNotSite = errors.New("output directory exists and is not a regcat site")

// markerContent is written to MarkerFile.
const markerContent = "This directory is a static site rendered by regcat; regcat render replaces it as a whole.\n"

// openSite prepares the new site that replaces out (see internal/sitefs:
// built beside out, swapped in by Commit, the previous site left as it
// was on Abort or a crash).
func openSite(out string) (*sitefs.Dir, error) {
	d, err := sitefs.Open(out, siteOptions)
	return d, siteError(err)
}

// siteOptions make a directory replaceable when it holds MarkerFile, and
// keep the site a render replaces as the spare the next render moves
// unchanged repositories' directories from (see incremental.go).
var siteOptions = sitefs.Options{Marker: MarkerFile, Spare: true}

// CheckOut reports the error [Render] would give because out may not be
// replaced (wrapping [ErrNotSite]), without writing anything; an empty
// out means DefaultOut.
func CheckOut(out string) error {
	if out == "" {
		out = DefaultOut
	}
	return siteError(sitefs.Check(out, siteOptions))
}

func siteError(err error) error {
	if errors.Is(err, sitefs.ErrNotReplaceable) {
		return fmt.Errorf("%w: %w", ErrNotSite, err)
	}
	return err
}
