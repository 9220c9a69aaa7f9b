package reghttp

import (
	"net/http"
	"testing"
	"time"
)

// FuzzParseRetryAfter checks the properties the transport relies on for
// any header a registry may send: no panic, the delay lies in [0, cap], and
// a well-formed delta-seconds value is honoured exactly below the cap.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"0", "1", "120", "99999999999999999999999", "-1", "+5", " 5", "1.5", "",
		now.Add(time.Minute).Format(http.TimeFormat),
		now.Add(-time.Minute).Format(http.TimeFormat),
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Fri, 31 Dec 9999 23:59:59 GMT",
	} {
		f.Add(s, int64(time.Minute))
	}
	f.Fuzz(func(t *testing.T, v string, ceiling int64) {
		if ceiling < 0 {
			ceiling = -(ceiling + 1)
		}
		c := time.Duration(ceiling)
		d, ok := parseRetryAfter(v, now, c)
		if d < 0 || d > c {
			t.Fatalf("parseRetryAfter(%q, cap %v) = %v, outside [0, cap]", v, c, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v for an unparsed value", v, d)
		}
		if isDigits(v) && v != "" && len(v) < 10 {
			var secs int64
			for _, b := range []byte(v) {
				secs = secs*10 + int64(b-'0')
			}
			if want := min(time.Duration(secs)*time.Second, c); !ok || d != want {
				t.Fatalf("parseRetryAfter(%q, cap %v) = %v, %v; want %v", v, c, d, ok, want)
			}
		}
	})
}
