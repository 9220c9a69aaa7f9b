package image

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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

// labelProblems checks labels against the rules of the label lint
// (issue 10): every recommended key present, licenses an SPDX expression,
// source, url and documentation http(s) URLs, revision a hex commit,
// created RFC 3339, equal to the config's created and not after now.
//
// TODO(merge): when regcat lint's rule package lands, run its rules over
// the crawled snapshot instead (checkCrawled has the snapshot directory).
func labelProblems(labels map[string]string, configCreated, now time.Time) []string {
	var probs []string
	for _, k := range recommended {
		if strings.TrimSpace(labels[k]) == "" {
			probs = append(probs, "missing "+k)
		}
	}
	if v, ok := labels[snapshot.KeyLicenses]; ok && !isSPDX(v) {
		probs = append(probs, fmt.Sprintf("%s %q is not an SPDX license expression", snapshot.KeyLicenses, v))
	}
	for _, k := range []string{snapshot.KeySource, snapshot.KeyURL, snapshot.KeyDocumentation} {
		if v, ok := labels[k]; ok {
			if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				probs = append(probs, fmt.Sprintf("%s %q is not an http(s) URL", k, v))
			}
		}
	}
	if v, ok := labels[snapshot.KeyRevision]; ok && !hexCommit.MatchString(v) {
		probs = append(probs, fmt.Sprintf("%s %q is not a hex commit", snapshot.KeyRevision, v))
	}
	if v, ok := labels[snapshot.KeyCreated]; ok {
		created, err := time.Parse(time.RFC3339, v)
		switch {
		case err != nil:
			probs = append(probs, fmt.Sprintf("%s %q is not RFC 3339", snapshot.KeyCreated, v))
		case !created.Equal(configCreated):
			probs = append(probs, fmt.Sprintf("%s %s disagrees with the config's created %s", snapshot.KeyCreated, v, configCreated.Format(time.RFC3339)))
		case created.After(now):
			probs = append(probs, fmt.Sprintf("%s %s is in the future", snapshot.KeyCreated, v))
		}
	}
	return probs
}

// hexCommit is a git commit: SHA-1 or SHA-256, full length, lower case.
var hexCommit = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// spdxID is an SPDX short identifier (optionally "+"), or a LicenseRef.
var spdxID = regexp.MustCompile(`^(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\+?)$`)

// isSPDX reports whether s has the shape of an SPDX license expression
// (SPDX 2.3 annex D): identifiers joined by AND, OR and WITH, with
// balanced parentheses. It does not check identifiers against the list.
func isSPDX(s string) bool {
	tokens := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s))
	depth, wantID := 0, true
	for _, tok := range tokens {
		switch {
		case tok == "(" && wantID:
			depth++
		case tok == ")" && !wantID && depth > 0:
			depth--
		case slices.Contains([]string{"AND", "OR", "WITH"}, tok) && !wantID:
			wantID = true
		case wantID && spdxID.MatchString(tok) && !slices.Contains([]string{"AND", "OR", "WITH"}, tok):
			wantID = false
		default:
			return false
		}
	}
	return len(tokens) > 0 && depth == 0 && !wantID
}

// TestLabelProblems shows that the checks TestImage runs can fail.
func TestLabelProblems(t *testing.T) {
	created := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	good := Labels(Meta{Version: "v1.2.3", Revision: strings.Repeat("ab", 20), Licenses: "Apache-2.0", Created: created})
	tests := []struct {
		name string
		key  string
		val  string // "" deletes the key
		want string // a substring of the one problem; "" for none
	}{
		{name: "good", want: ""},
		{name: "spdx or", key: snapshot.KeyLicenses, val: "(MIT OR Apache-2.0) AND BSD-3-Clause", want: ""},
		{name: "spdx with", key: snapshot.KeyLicenses, val: "GPL-2.0-or-later WITH Classpath-exception-2.0", want: ""},
		{name: "missing", key: snapshot.KeyVendor, val: "", want: "missing " + snapshot.KeyVendor},
		{name: "prose license", key: snapshot.KeyLicenses, val: "see LICENSE file", want: "not an SPDX"},
		{name: "dangling operator", key: snapshot.KeyLicenses, val: "MIT AND", want: "not an SPDX"},
		{name: "unbalanced", key: snapshot.KeyLicenses, val: "(MIT", want: "not an SPDX"},
		{name: "git source", key: snapshot.KeySource, val: "git@github.com:regcat/regcat.git", want: "not an http(s) URL"},
		{name: "javascript url", key: snapshot.KeyURL, val: "javascript:alert(1)", want: "not an http(s) URL"},
		{name: "short revision", key: snapshot.KeyRevision, val: "9d7035c", want: "not a hex commit"},
		{name: "branch revision", key: snapshot.KeyRevision, val: "main", want: "not a hex commit"},
		{name: "created disagrees", key: snapshot.KeyCreated, val: "2026-11-29T12:00:00Z", want: "disagrees"},
		{name: "created not a time", key: snapshot.KeyCreated, val: "yesterday", want: "not RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := map[string]string{}
			for k, v := range good {
				labels[k] = v
			}
			if tt.key != "" {
				labels[tt.key] = tt.val
				if tt.val == "" {
					delete(labels, tt.key)
				}
			}
			probs := labelProblems(labels, created, created.Add(time.Hour))
			if tt.want == "" {
				if len(probs) > 0 {
					t.Errorf("problems %q, want none", probs)
				}
				return
			}
			if len(probs) != 1 || !strings.Contains(probs[0], tt.want) {
				t.Errorf("problems %q, want one with %q", probs, tt.want)
			}
		})
	}
	if probs := labelProblems(good, created, created.Add(-time.Hour)); len(probs) != 1 || !strings.Contains(probs[0], "future") {
		t.Errorf("created after now: problems %q", probs)
	}
}
