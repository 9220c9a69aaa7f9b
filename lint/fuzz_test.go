package lint

import (
	"strings"
	"testing"
)

// FuzzParseLicense checks properties of the SPDX parser on any input: it
// never panics, refuses what is longer than maxExpression, and accepts
// an expression only if each of its words is an operator, a parenthesis
// or an identifier licenseID accepts, and the expression wrapped in
// parentheses is accepted too (unless that makes it too long or deep).
func FuzzParseLicense(f *testing.F) {
	for _, s := range []string{"MIT", "Apache-2.0 OR MIT", "(MIT AND BSD-3-Clause) OR GPL-2.0+ WITH Classpath-exception-2.0",
		"LicenseRef-x", "DocumentRef-a:LicenseRef-b", "MIT and", "((", "\x00", "MIT\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := parseLicense(s)
		if len(s) > maxExpression && err == nil {
			t.Fatalf("accepted %d bytes", len(s))
		}
		if err != nil {
			return
		}
		for _, tok := range tokenize(s) {
			if tok != "(" && tok != ")" && !isOperator(tok) && licenseID(tok) != nil && !exceptionIDs[strings.ToLower(tok)] {
				t.Fatalf("accepted %q with word %q", s, tok)
			}
		}
		if w := "(" + s + ")"; len(w) <= maxExpression && strings.Count(w, "(") < maxDepth {
			if err := parseLicense(w); err != nil {
				t.Fatalf("accepted %q but not %q: %v", s, w, err)
			}
		}
	})
}

// FuzzParseRef checks that any base.name splits into parts that put
// together give the reference back.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"reg.example:5000/base/go:1.2", "alpine", "localhost/a/b@sha256:00", "a:b:c/d", "@", "/:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, repo, tag, digest := parseRef(s)
		got := repo
		if host != "" {
			got = host + "/" + got
		}
		// The tag is in s, or it is the default "latest".
		if strings.HasSuffix(s, ":"+tag) || strings.Contains(s, ":"+tag+"@") {
			got += ":" + tag
		} else if tag != "latest" {
			t.Fatalf("parseRef(%q): tag %q is not in the reference", s, tag)
		}
		if strings.Contains(s, "@") {
			got += "@" + digest
		}
		if !strings.EqualFold(got, s) {
			t.Fatalf("parseRef(%q) = %q %q %q %q, which gives %q", s, host, repo, tag, digest, got)
		}
	})
}
