package examples

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Populate builds the catalog's images and pushes them, under all their
// tags, to the registry at host ("host[:port]"; loopback hosts are spoken
// to over plain HTTP). opts go to go-containerregistry's remote package
// (auth, transport); Populate adds the context. Pushing twice is harmless:
// the content, and so every digest, is the same each time.
func Populate(ctx context.Context, host string, opts ...remote.Option) error {
	c, err := Load()
	if err != nil {
		return err
	}
	return c.Push(ctx, host, opts...)
}

// Push builds c's images and pushes them, under all their tags, to the
// registry at host, as Populate does for the embedded catalog.
func (c *Catalog) Push(ctx context.Context, host string, opts ...remote.Option) error {
	arts, err := c.Build()
	if err != nil {
		return err
	}
	todo := map[name.Reference]remote.Taggable{}
	for _, a := range arts {
		var t remote.Taggable = a.Image
		if a.Index != nil {
			t = a.Index
		}
		for _, tag := range a.Tags {
			ref, err := name.NewTag(host+"/"+a.Repository+":"+tag, name.StrictValidation)
			if err != nil {
				return fmt.Errorf("populate %s: %w", host, err)
			}
			todo[ref] = t
		}
	}
	if err := remote.MultiWrite(todo, append(opts, remote.WithContext(ctx))...); err != nil {
		return fmt.Errorf("populate %s: %w", host, err)
	}
	return nil
}
