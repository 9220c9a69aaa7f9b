package badge

import (
	"strconv"
	"strings"
)

// sizeUnits are decimal (SI) byte units, as docker reports image sizes;
// int64 ends within exabytes.
var sizeUnits = [...]string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}

// HumanSize formats n bytes for a badge in decimal SI units (1 kB = 1000 B,
// as docker reports sizes), rounded half up to three significant digits,
// trailing zeros dropped, with a space before the unit: "0 B", "999 B",
// "1 kB", "1.02 kB", "12.3 MB", "123 MB", "9.22 EB". A value that rounds to
// 1000 of a unit moves up one (999 999 B is "1 MB", not "1000 kB").
// Negative n, which no size can be, gives "unknown".
func HumanSize(n int64) string {
	if n < 0 {
		return "unknown"
	}
	// Round in decimal digits, not floats, so 9 995 000 B is exactly
	// "10 MB" rather than whatever 9.995 is in binary.
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s + " B"
	}
	k, _ := strconv.Atoi(s[:3]) // three leading digits: n ≈ k × 10^exp
	exp := len(s) - 3
	if s[3] >= '5' {
		k++
	}
	if k == 1000 {
		k, exp = 100, exp+1
	}
	unit := (exp + 2) / 3
	whole := exp + 3 - 3*unit // digits before the point: 1 to 3
	digits := strconv.Itoa(k)
	num := digits[:whole]
	if frac := strings.TrimRight(digits[whole:], "0"); frac != "" {
		num += "." + frac
	}
	return num + " " + sizeUnits[unit]
}
