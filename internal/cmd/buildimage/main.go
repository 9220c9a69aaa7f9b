// Command buildimage builds regcat's container image without a Docker
// daemon and writes it as an OCI image layout in a tar archive, which
// docker load, podman load and skopeo (oci-archive:) read:
//
//	go run ./internal/cmd/buildimage --out regcat-image.tar
//
// It runs from the root of the regcat module (a git checkout: the
// revision, version and creation time come from HEAD unless given; see
// package internal/image for the defaults and what the image holds).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/regcat/regcat/internal/image"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "buildimage: %v\n", err)
		os.Exit(1)
	}
}

// run parses args, builds the image and writes the archive, printing its
// tag and digest to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	var (
		cfg     image.Config
		out     string
		tag     string
		created string
	)
	fs := flag.NewFlagSet("buildimage", flag.ContinueOnError)
	fs.StringVar(&out, "out", "regcat-image.tar", "OCI archive to write")
	fs.StringVar(&tag, "tag", "", "reference recorded in the archive (default "+image.Repository+":VERSION)")
	fs.StringVar(&cfg.Dir, "dir", ".", "root of the regcat module to build")
	fs.StringVar(&cfg.Arch, "arch", "", "GOARCH of the linux image (default this machine's)")
	fs.StringVar(&cfg.Version, "version", "", "version (default the tag at HEAD, else HEAD's pseudo-version)")
	fs.StringVar(&cfg.Revision, "revision", "", "commit (default git rev-parse HEAD)")
	fs.StringVar(&created, "created", "", "creation time, RFC 3339 (default $SOURCE_DATE_EPOCH, else HEAD's commit time)")
	fs.StringVar(&cfg.Licenses, "licenses", "", "SPDX license expression (default "+image.DefaultLicenses+")")
	fs.StringVar(&cfg.CACerts, "ca-certs", "", "CA bundle to put in the image (default "+image.DefaultCACerts+" when it exists)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if created != "" {
		t, err := time.Parse(time.RFC3339, created)
		if err != nil {
			return fmt.Errorf("--created: %w", err)
		}
		cfg.Created = t
	}
	img, meta, err := image.Build(ctx, cfg)
	if err != nil {
		return err
	}
	if tag == "" {
		tag = image.Tag(meta)
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("--tag: %w", err)
	}
	if err := image.WriteArchive(out, img, ref); err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s@%s (linux/%s) written to %s\n", ref, ref.Context(), digest, meta.Arch, out)
	return nil
}
