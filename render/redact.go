package render

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// hidden replaces values that are not published.
const hidden = "[hidden]"

var (
	// envStepRE finds an ENV instruction in a history entry, as the
	// classic builder ("/bin/sh -c #(nop)  ENV K=V") and BuildKit
	// ("ENV K=V") record it.
	envStepRE = regexp.MustCompile(`^((?:/bin/sh -c #\(nop\)\s+)?ENV\s+)(.*)$`)
	envPairRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)`)
	// argsStepRE finds the build arguments that both builders prefix to
	// a RUN step: "|2 A=x B=y /bin/sh -c …".
	argsStepRE = regexp.MustCompile(`^((?:RUN\s+)?)\|(\d+) `)
)

// redactStep hides the values of environment variables and build
// arguments in a build history entry: the same secrets that Config.Env
// holds show up there.
func redactStep(s string) string {
	// What both expressions need, found without them: most steps
	// (COPY, RUN without build arguments) have neither.
	if !strings.Contains(s, "ENV") && !strings.Contains(s, "|") {
		return s
	}
	if m := envStepRE.FindStringSubmatch(s); m != nil {
		rest := m[2]
		if envPairRE.MatchString(rest) {
			return m[1] + envPairRE.ReplaceAllString(rest, "$1="+hidden)
		}
		// Legacy "ENV KEY value" form.
		key, _, _ := strings.Cut(rest, " ")
		return m[1] + key + " " + hidden
	}
	if m := argsStepRE.FindStringSubmatchIndex(s); m != nil {
		n, err := strconv.Atoi(s[m[4]:m[5]])
		if err != nil || n <= 0 {
			return s
		}
		rest := s[m[1]:]
		var b strings.Builder
		b.WriteString(s[:m[1]])
		for i := 0; i < n; i++ {
			tok, after, _ := strings.Cut(rest, " ")
			key, _, _ := strings.Cut(tok, "=")
			b.WriteString(key + "=" + hidden + " ")
			rest = after
		}
		b.WriteString(rest)
		return b.String()
	}
	return s
}

// public returns the repository as published under api/: without
// environment variables and with build history redacted, unless
// ShowEnv. rp itself is not modified.
func (r *renderer) public(rp *snapshot.Repository) *snapshot.Repository {
	if r.cfg.ShowEnv {
		return rp
	}
	c := *rp
	c.Images = make([]snapshot.Image, len(rp.Images))
	for i, im := range rp.Images {
		im.Platforms = make([]snapshot.Platform, len(im.Platforms))
		for j, p := range rp.Images[i].Platforms {
			p.Config.Env = nil
			if len(p.Config.History) > 0 {
				h := make([]snapshot.History, len(p.Config.History))
				for k, e := range p.Config.History {
					e.CreatedBy = r.redact(e.CreatedBy)
					h[k] = e
				}
				p.Config.History = h
			}
			im.Platforms[j] = p
		}
		c.Images[i] = im
	}
	return &c
}

// redact is redactStep(s), computed once a render for each step: images
// share most of their build history (base layers, a repository's
// builds), and every render redacts every repository's history for its
// fingerprint (see incremental.go).
func (r *renderer) redact(s string) string {
	if v, ok := r.steps.Load(s); ok {
		return v.(string)
	}
	v := redactStep(s)
	r.steps.Store(s, v)
	return v
}
