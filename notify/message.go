package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regcat/regcat/changes"
)

// maxTextRepos is how many repository names the text names at most.
const maxTextRepos = 5

// Message is the JSON document POSTed once per run that changed
// something; docs/notifications.md documents it. Its per-repository
// lists follow MicroBadger's notifications (new_tags, changed_tags,
// deleted_tags), extended with digests.
type Message struct {
	// Text is a one-line summary for people, so that a Slack or
	// Mattermost incoming webhook shows the document as it is.
	Text string `json:"text"`
	// Registry is the registry host (host[:port]).
	Registry string `json:"registry"`
	// CrawledAt is the run's crawl time; Since the previous snapshot's,
	// absent when there was none.
	CrawledAt time.Time `json:"crawledAt"`
	Since     time.Time `json:"since,omitzero"`
	// Repositories lists every repository with a change, sorted by name.
	Repositories []Repository `json:"repositories"`
}

// Repository is what changed in one repository. The lists are sorted by
// tag and are never null.
type Repository struct {
	// Name is the repository name; ImageName the registry and name, as
	// in a pull reference.
	Name      string `json:"name"`
	ImageName string `json:"image_name"`
	// Status is "added", "removed" or "changed".
	Status      string       `json:"status"`
	NewTags     []Tag        `json:"new_tags"`
	ChangedTags []ChangedTag `json:"changed_tags"`
	DeletedTags []Tag        `json:"deleted_tags"`
}

// Tag is a tag and the digest it points at (for a deleted tag: pointed
// at).
type Tag struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
}

// ChangedTag is a tag that moved from OldDigest to Digest.
type ChangedTag struct {
	Tag       string `json:"tag"`
	OldDigest string `json:"old_digest"`
	Digest    string `json:"digest"`
}

// FromChanges returns the message of a change set, or nil when s is nil
// or empty: a run that changed nothing notifies nobody.
func FromChanges(s *changes.Set) *Message {
	if s == nil || s.Empty() {
		return nil
	}
	m := &Message{Registry: s.Registry, CrawledAt: s.CrawledAt.UTC(), Since: s.Since.UTC()}
	for _, r := range s.Repositories {
		mr := Repository{
			Name: r.Name, ImageName: s.Registry + "/" + r.Name, Status: string(r.Status),
			NewTags: tags(r.NewTags), ChangedTags: []ChangedTag{}, DeletedTags: tags(r.DeletedTags),
		}
		for _, mv := range r.ChangedTags {
			mr.ChangedTags = append(mr.ChangedTags, ChangedTag{Tag: mv.Name, OldDigest: mv.OldDigest, Digest: mv.Digest})
		}
		m.Repositories = append(m.Repositories, mr)
	}
	m.Text = text(s)
	return m
}

func tags(ts []changes.Tag) []Tag {
	out := make([]Tag, 0, len(ts))
	for _, t := range ts {
		out = append(out, Tag{Tag: t.Name, Digest: t.Digest})
	}
	return out
}

// text is the one-line summary of s: the registry, the set's own
// summary and the first repositories' names.
func text(s *changes.Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (", s.Registry, s.Summary())
	for i, r := range s.Repositories {
		if i == maxTextRepos {
			b.WriteString(" and " + strconv.Itoa(len(s.Repositories)-i) + " more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.Name)
	}
	b.WriteString(")")
	return b.String()
}

// Marshal encodes m as the body of a notification: two-space indent, a
// trailing newline, fields in the order of the types.
func (m *Message) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	v := *m
	if v.Repositories == nil {
		v.Repositories = []Repository{}
	}
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode notification: %w", err)
	}
	return buf.Bytes(), nil
}
