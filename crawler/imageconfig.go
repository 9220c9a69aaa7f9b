package crawler

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/regcat/regcat/snapshot"
)

// configDoc is the part of an image config blob (OCI image-spec config.md,
// Docker image spec v1) that the crawler keeps. Times stay strings so that
// an odd time format loses only that time, not the whole config.
type configDoc struct {
	Created       string          `json:"created"`
	Author        string          `json:"author"`
	DockerVersion string          `json:"docker_version"`
	OS            string          `json:"os"`
	Architecture  string          `json:"architecture"`
	Variant       string          `json:"variant"`
	OSVersion     string          `json:"os.version"`
	Config        containerConfig `json:"config"`
	History       []struct {
		Created    string `json:"created"`
		CreatedBy  string `json:"created_by"`
		Author     string `json:"author"`
		Comment    string `json:"comment"`
		EmptyLayer bool   `json:"empty_layer"`
	} `json:"history"`
	RootFS struct {
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

type containerConfig struct {
	Labels       map[string]string   `json:"Labels"`
	Env          []string            `json:"Env"`
	Entrypoint   []string            `json:"Entrypoint"`
	Cmd          []string            `json:"Cmd"`
	WorkingDir   string              `json:"WorkingDir"`
	User         string              `json:"User"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts"`
}

// imageConfig is a parsed config: the snapshot record plus the platform
// fields used when an index entry does not name its platform.
type imageConfig struct {
	config   snapshot.Config
	platform snapshot.Platform // OS, Architecture, Variant, OSVersion only
}

// parseConfig decodes an image config blob. digest is recorded, not
// checked (the caller verified it). Every diff_id must be a canonical
// digest.
func parseConfig(digest string, b []byte) (*imageConfig, error) {
	var doc configDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	for _, d := range doc.RootFS.DiffIDs {
		if err := snapshot.ValidateDigest(d); err != nil {
			return nil, fmt.Errorf("config: diff_id: %w", err)
		}
	}
	c := snapshot.Config{
		Digest:        digest,
		Created:       parseTime(doc.Created),
		Author:        doc.Author,
		DockerVersion: doc.DockerVersion,
		Labels:        doc.Config.Labels,
		Env:           doc.Config.Env,
		Entrypoint:    doc.Config.Entrypoint,
		Cmd:           doc.Config.Cmd,
		WorkingDir:    doc.Config.WorkingDir,
		User:          doc.Config.User,
		ExposedPorts:  ports(doc.Config.ExposedPorts),
		DiffIDs:       doc.RootFS.DiffIDs,
	}
	for _, h := range doc.History {
		c.History = append(c.History, snapshot.History{
			Created:    parseTime(h.Created),
			CreatedBy:  h.CreatedBy,
			Author:     h.Author,
			Comment:    h.Comment,
			EmptyLayer: h.EmptyLayer,
		})
	}
	return &imageConfig{
		config:   c,
		platform: snapshot.Platform{OS: doc.OS, Architecture: doc.Architecture, Variant: doc.Variant, OSVersion: doc.OSVersion},
	}, nil
}

// v1Compat is one v1Compatibility entry of a Docker schema 1 manifest.
type v1Compat struct {
	Created         string          `json:"created"`
	Author          string          `json:"author"`
	DockerVersion   string          `json:"docker_version"`
	Comment         string          `json:"comment"`
	OS              string          `json:"os"`
	Architecture    string          `json:"architecture"`
	Variant         string          `json:"variant"`
	Throwaway       bool            `json:"throwaway"`
	Config          containerConfig `json:"config"`
	ContainerConfig struct {
		Cmd []string `json:"Cmd"`
	} `json:"container_config"`
}

// parseSchema1 derives the platform of a Docker schema 1 manifest from its
// v1Compatibility history (newest entry first): created, author, os,
// architecture and the container config from the newest entry, the build
// history from all, oldest first. Layers come from fsLayers, skipping
// throwaway entries; schema 1 gives no compressed sizes.
func parseSchema1(m *manifest) (*snapshot.Platform, error) {
	n := len(m.doc.History)
	compat := make([]v1Compat, n)
	for i, h := range m.doc.History {
		if err := json.Unmarshal([]byte(h.V1Compatibility), &compat[i]); err != nil {
			return nil, fmt.Errorf("schema1 v1Compatibility %d: %w", i, err)
		}
	}
	p := &snapshot.Platform{MediaType: m.mediaType, Layers: []snapshot.Layer{}}
	if n == 0 {
		p.Architecture = m.doc.Architecture
		return p, nil
	}
	top := compat[0]
	p.OS, p.Architecture, p.Variant = top.OS, cmp.Or(top.Architecture, m.doc.Architecture), top.Variant
	p.Config = snapshot.Config{
		Created:       parseTime(top.Created),
		Author:        top.Author,
		DockerVersion: top.DockerVersion,
		Labels:        top.Config.Labels,
		Env:           top.Config.Env,
		Entrypoint:    top.Config.Entrypoint,
		Cmd:           top.Config.Cmd,
		WorkingDir:    top.Config.WorkingDir,
		User:          top.Config.User,
		ExposedPorts:  ports(top.Config.ExposedPorts),
	}
	for i := n - 1; i >= 0; i-- {
		h := compat[i]
		p.Config.History = append(p.Config.History, snapshot.History{
			Created:    parseTime(h.Created),
			CreatedBy:  strings.Join(h.ContainerConfig.Cmd, " "),
			Author:     h.Author,
			Comment:    h.Comment,
			EmptyLayer: h.Throwaway,
		})
		if !h.Throwaway {
			p.Layers = append(p.Layers, snapshot.Layer{Digest: m.doc.FSLayers[i].BlobSum, MediaType: mtSchema1LayerTar})
		}
	}
	return p, nil
}

// parseTime reads an RFC 3339 time; anything else is the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}
	}
	return t.UTC()
}

// ports returns the exposed ports, sorted.
func ports(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
