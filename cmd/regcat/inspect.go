package main

import (
	"errors"
	"fmt"
	"io"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/regcat/regcat/crawler"
	"github.com/regcat/regcat/inspect"
)

// inspectFlags are the flags of regcat inspect.
type inspectFlags struct {
	conn      crawlFlags // connection and auth flags only (see register)
	platform  string
	raw       bool
	config    bool
	tags      bool
	snapshot  string
	format    string
	labels    string
	hasLabels bool
}

func newInspectCmd(e *env) *cobra.Command {
	var f inspectFlags
	cmd := &cobra.Command{
		Use:   "inspect [REGISTRY/]REPO[:TAG|@DIGEST]",
		Short: "Print one image's labels, layers and config as skopeo inspect does",
		Long: `inspect prints one image as JSON with the keys and shapes of skopeo inspect
(Name, Digest, RepoTags, Created, DockerVersion, Labels, Architecture, Os,
Layers, LayersData, Env), followed by regcat's own fields (Variant, Author,
MediaType, Kind, PlatformDigest, ConfigDigest, Size, Platforms, Annotations).

Live, it reads the registry with the authentication, retries, caps and
digest checks of crawl: the auth handshake, the manifest and the config (one
more request for an index, whose platform --platform picks; --tags adds the
tag list). With --snapshot it answers from a snapshot directory instead,
without any request, and the same answer; REGISTRY may then be left out.

Exit codes: 0 printed; 1 error (registry, not found); 2 usage error.`,
		Example: `  regcat inspect localhost:5000/team-a/api:v1.9 | jq .Labels
  regcat inspect registry.example.com/app@sha256:... --platform linux/arm64
  regcat inspect team-a/api:v1.9 --snapshot ./snapshot --labels org.opencontainers.image.
  regcat inspect localhost:5000/app --format '{{ .Labels }}'`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			f.hasLabels = cmd.Flags().Changed("labels")
			return f.run(cmd, e, a[0])
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.platform, "platform", inspect.DefaultPlatform.String(), "the `os/arch[/variant]` of an index to describe")
	fs.BoolVar(&f.raw, "raw", false, "print the top-level manifest as served")
	fs.BoolVar(&f.config, "config", false, "print the described platform's config blob as served")
	fs.BoolVar(&f.tags, "tags", false, "fill RepoTags with the repository's tags (one more request)")
	fs.StringVarP(&f.snapshot, "snapshot", "s", "", "answer from this snapshot `directory` (or build --config's directory of snapshots), offline")
	fs.StringVarP(&f.format, "format", "f", "", "print with this Go text/template instead of JSON, e.g. '{{ .Labels }}'")
	fs.StringVar(&f.labels, "labels", "", "print only the labels whose key starts with `PREFIX`, as sorted key=value lines (control characters escaped)")
	fs.BoolVar(&f.conn.insecure, "insecure", false, "skip TLS certificate verification")
	fs.BoolVar(&f.conn.plainHTTP, "plain-http", false, "allow plain HTTP to a registry that is not on loopback")
	fs.StringVar(&f.conn.username, "username", "", "registry user name (with --password-stdin or "+envPassword+")")
	fs.BoolVar(&f.conn.passwordStdin, "password-stdin", false, "read the registry password from standard input")
	fs.DurationVar(&f.conn.timeout, "timeout", crawler.DefaultTimeout, "per-request wait for headers and between body bytes (0: the default)")
	fs.DurationVar(&f.conn.deadline, "request-deadline", crawler.DefaultRequestDeadline, "per request attempt: longest time from connecting to the last body byte (0: the default)")
	fs.IntVar(&f.conn.maxTags, "max-tags", crawler.DefaultMaxTags, "with --tags, list at most `N` tags (0: no cap)")
	return cmd
}

// run checks the flags, describes the image and prints it.
func (f *inspectFlags) run(cmd *cobra.Command, e *env, image string) error {
	ref, err := inspect.ParseRef(image)
	if err != nil {
		return &usageError{err}
	}
	p, err := inspect.ParsePlatform(f.platform)
	if err != nil {
		return &usageError{err}
	}
	tmpl, err := f.check()
	if err != nil {
		return &usageError{err}
	}
	opts := inspect.Options{Platform: p, Tags: f.tags, ManifestOnly: f.raw && !f.config}
	if f.snapshot != "" {
		o, err := inspect.FromSnapshot(f.snapshot, ref, opts)
		if err != nil {
			return err
		}
		return f.print(e.stdout, o, tmpl)
	}
	cfg, err := f.conn.config(e, ref.Registry)
	if err != nil {
		return err
	}
	cfg.Logger = e.logger()
	res, _, err := inspect.Live(cmd.Context(), cfg, ref, opts)
	if err != nil {
		return err
	}
	switch {
	case f.config:
		if res.Config == nil {
			return fmt.Errorf("%s has no config blob", ref)
		}
		_, err = e.stdout.Write(res.Config)
		return err
	case f.raw:
		_, err = e.stdout.Write(res.Manifest)
		return err
	}
	return f.print(e.stdout, &res.Output, tmpl)
}

// check reports flags that do not go together, and parses --format.
func (f *inspectFlags) check() (*template.Template, error) {
	outputs := 0
	for _, set := range []bool{f.raw || f.config, f.format != "", f.hasLabels} {
		if set {
			outputs++
		}
	}
	switch {
	case outputs > 1:
		return nil, errors.New("--raw/--config, --format and --labels do not go together")
	case f.snapshot != "" && (f.raw || f.config):
		return nil, errors.New("--raw and --config need the registry: a snapshot keeps no manifest or config bytes")
	case f.format == "":
		return nil, nil
	}
	t, err := template.New("format").Option("missingkey=error").Parse(f.format)
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	return t, nil
}

// print writes o as JSON, through the template, or as label lines.
func (f *inspectFlags) print(w io.Writer, o *inspect.Output, tmpl *template.Template) error {
	switch {
	case f.hasLabels:
		_, err := io.WriteString(w, inspect.LabelLines(o.Labels, f.labels))
		return err
	case tmpl != nil:
		return inspect.Format(w, tmpl, o)
	}
	b, err := o.JSON()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
