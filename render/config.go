package render

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/regcat/regcat/changes"
	"github.com/regcat/regcat/render/badge"
	"github.com/regcat/regcat/snapshot"
)

// DefaultOut is the output directory used when Config.Out is empty.
const DefaultOut = "site"

// DefaultPageSize is the number of tag history rows on one repository
// page when Config.PageSize is 0; MaxPageSize is the most it may be, so
// that a page stays about a megabyte at most.
const (
	DefaultPageSize = 500
	MaxPageSize     = 1000
)

// Config says where and how to render a site. The zero value renders to
// DefaultOut with the embedded templates, relative links only, no
// environment variables and no logging.
type Config struct {
	// Out is the site directory. It is replaced as a whole when the render
	// succeeds; it must be missing, empty or a site rendered by regcat
	// (it holds MarkerFile). Empty means DefaultOut.
	Out string
	// BaseURL is the absolute http(s) URL the site is published at, for
	// canonical links, the sitemap and the 404 page. Empty means unknown:
	// no sitemap is written.
	BaseURL string
	// Title is the site title. Empty means "<registry> catalog".
	Title string
	// TemplatesDir holds *.html files that replace embedded templates of
	// the same name or add partials. Empty means the embedded set only.
	TemplatesDir string
	// ShowEnv publishes image environment variables on pages and in the
	// api/ JSON. Off by default: environments often hold secrets.
	ShowEnv bool
	// BadgeStyle is the look of the SVG badges; the zero value is
	// badge.Flat.
	BadgeStyle badge.Style
	// BadgeTag is the tag a repository's own badges
	// (badges/<repo>/<kind>.svg) follow when the repository has it; else
	// they follow its newest tagged image. Empty means DefaultBadgeTag.
	BadgeTag string
	// TagBadges says which tags get badges of their own; empty means
	// TagBadgesDefault.
	TagBadges TagBadges
	// PageSize is the most rows (images, newest first) one repository page
	// lists; a longer history continues on numbered pages. 0 means
	// DefaultPageSize; at most MaxPageSize.
	PageSize int
	// Logger receives skipped names and a summary. Nil discards.
	Logger *slog.Logger
	// History is the snapshot's change log, which the changes page, the
	// feeds and the repository pages show. Nil means none.
	History *changes.Log
}

// Validate reports a configuration that cannot be rendered.
func (c *Config) Validate() error {
	if c.BaseURL != "" {
		if _, err := parseBaseURL(c.BaseURL); err != nil {
			return err
		}
	}
	if c.BadgeStyle != badge.Flat && c.BadgeStyle != badge.FlatSquare {
		return fmt.Errorf("badge style: %v is not a style", c.BadgeStyle)
	}
	if c.PageSize < 0 || c.PageSize > MaxPageSize {
		return fmt.Errorf("page size %d: want 1 to %d (0: the default, %d)", c.PageSize, MaxPageSize, DefaultPageSize)
	}
	if c.TagBadges != "" {
		if _, err := ParseTagBadges(string(c.TagBadges)); err != nil {
			return err
		}
	}
	if c.BadgeTag != "" {
		if err := snapshot.ValidateTag(c.BadgeTag); err != nil {
			return fmt.Errorf("badge tag: %w", err)
		}
	}
	return nil
}

func (c *Config) badgeTag() string {
	if c.BadgeTag == "" {
		return DefaultBadgeTag
	}
	return c.BadgeTag
}

func (c *Config) pageSize() int {
	if c.PageSize == 0 {
		return DefaultPageSize
	}
	return c.PageSize
}

func (c *Config) out() string {
	if c.Out == "" {
		return DefaultOut
	}
	return c.Out
}

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.Logger
}

// parseBaseURL checks that s is an absolute http(s) URL without
// credentials, query or fragment, and returns it with a trailing slash.
func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("base URL: want an absolute http or https URL")
	case u.Host == "":
		return "", errors.New("base URL: no host")
	case u.User != nil:
		return "", errors.New("base URL: must not hold credentials")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("base URL: must not have a query or fragment")
	}
	out := u.String()
	if !strings.HasSuffix(out, "/") {
		out += "/"
	}
	return out, nil
}
