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
	d, err := sitefs.Open(out, sitefs.Options{Marker: MarkerFile})
	if errors.Is(err, sitefs.ErrNotReplaceable) {
		return nil, fmt.Errorf("%w: %w", ErrNotSite, err)
	}
	return d, err
}
