package lint

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
)

// The SPDX identifiers an expression may name (see the files' headers).
var (
	//go:embed spdx-licenses.txt
	licenseList string
	//go:embed spdx-exceptions.txt
	exceptionList string

	licenseIDs   = idSet(licenseList)
	exceptionIDs = idSet(exceptionList)
)

// idSet reads a list of identifiers, one a line after "#" comments, as
// a set of lower-case names.
func idSet(list string) map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(list) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}

// Bounds of an expression parseLicense reads: longer or deeper ones are
// refused rather than parsed (labels are hostile).
const (
	maxExpression = 1000
	maxDepth      = 20
)

// parseLicense checks that s is an SPDX license expression (SPDX
// specification 2.3, annex D): license identifiers of the SPDX list,
// optionally with "+", or LicenseRef-… (DocumentRef-…:LicenseRef-…),
// joined by AND and OR (AND binds tighter), "<license> WITH <exception>"
// and parentheses. Operators are upper case. The error says what is
// wrong, quoting the part of s it is about.
func parseLicense(s string) error {
	if len(s) > maxExpression {
		return fmt.Errorf("longer than %d bytes", maxExpression)
	}
	p := &spdxParser{toks: tokenize(s)}
	if len(p.toks) == 0 {
		return errors.New("empty")
	}
	if err := p.or(0); err != nil {
		return err
	}
	if p.i < len(p.toks) {
		if tok := p.toks[p.i]; isOperator(strings.ToUpper(tok)) && !isOperator(tok) {
			return fmt.Errorf("operator %q must be upper case", tok)
		}
		return fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	return nil
}

// tokenize splits an expression at white space and around parentheses.
func tokenize(s string) []string {
	return strings.Fields(parenSpacer.Replace(s))
}

// parenSpacer puts spaces around parentheses, so that they are tokens of
// their own. It is built once: building a Replacer costs more than using
// it, and every render lints every image's license.
var parenSpacer = strings.NewReplacer("(", " ( ", ")", " ) ")

type spdxParser struct {
	toks []string
	i    int
}

func (p *spdxParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

// or reads and-expressions joined by OR.
func (p *spdxParser) or(depth int) error {
	for {
		if err := p.and(depth); err != nil {
			return err
		}
		if p.peek() != "OR" {
			return nil
		}
		p.i++
	}
}

// and reads terms joined by AND.
func (p *spdxParser) and(depth int) error {
	for {
		if err := p.term(depth); err != nil {
			return err
		}
		if p.peek() != "AND" {
			return nil
		}
		p.i++
	}
}

// term reads a parenthesised expression or a license with an optional
// WITH exception.
func (p *spdxParser) term(depth int) error {
	tok := p.peek()
	switch {
	case tok == "":
		return errors.New("ends where a license is expected")
	case tok == "(":
		if depth >= maxDepth {
			return fmt.Errorf("nested deeper than %d", maxDepth)
		}
		p.i++
		if err := p.or(depth + 1); err != nil {
			return err
		}
		if p.peek() != ")" {
			return errors.New("missing )")
		}
		p.i++
		return nil
	}
	if err := licenseID(tok); err != nil {
		return err
	}
	p.i++
	if p.peek() != "WITH" {
		return nil
	}
	p.i++
	exc := p.peek()
	if !exceptionIDs[strings.ToLower(exc)] {
		if exc == "" {
			return errors.New("ends where an exception is expected after WITH")
		}
		return fmt.Errorf("%q is not an SPDX license exception", exc)
	}
	p.i++
	return nil
}

// licenseID checks one license identifier.
func licenseID(tok string) error {
	switch {
	case tok == ")" || isOperator(tok):
		return fmt.Errorf("unexpected %q where a license is expected", tok)
	case isOperator(strings.ToUpper(tok)):
		return fmt.Errorf("operator %q must be upper case", tok)
	}
	if doc, ref, ok := strings.Cut(tok, ":"); ok {
		if !isRef(doc, "DocumentRef-") || !isRef(ref, "LicenseRef-") {
			return fmt.Errorf("%q is not DocumentRef-<id>:LicenseRef-<id>", tok)
		}
		return nil
	}
	if strings.HasPrefix(tok, "LicenseRef-") {
		if !isRef(tok, "LicenseRef-") {
			return fmt.Errorf("%q: a LicenseRef id is letters, digits, \".\" and \"-\"", tok)
		}
		return nil
	}
	if !licenseIDs[strings.ToLower(strings.TrimSuffix(tok, "+"))] {
		return fmt.Errorf("%q is not an SPDX license identifier (name others LicenseRef-<id>)", tok)
	}
	return nil
}

func isOperator(tok string) bool { return tok == "AND" || tok == "OR" || tok == "WITH" }

// isRef reports whether s is prefix followed by an SPDX idstring:
// letters, digits, "." and "-".
func isRef(s, prefix string) bool {
	id, ok := strings.CutPrefix(s, prefix)
	if !ok || id == "" {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
