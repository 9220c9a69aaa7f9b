package regtest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Endpoint is a notification endpoint of the distribution registry (its
// configuration's notifications.endpoints entry): the registry POSTs an
// event envelope to URL, with Headers, for every push, pull and delete.
type Endpoint struct {
	URL     string
	Headers http.Header
}

// WithNotifications makes NewDistribution send its events to the
// endpoints, retrying a failed delivery every 50 ms, and accept manifest
// deletes (storage.delete.enabled), which a test of delete events needs.
// Events of Populate's requests are sent too: the registry cannot tell
// them apart.
func WithNotifications(endpoints ...Endpoint) Option {
	return func(o *options) { o.notify = endpoints }
}

// configureNotifications adds the endpoints to cfg, with deletes enabled.
func configureNotifications(cfg *configuration.Configuration, endpoints []Endpoint) {
	if len(endpoints) == 0 {
		return
	}
	cfg.Storage["delete"] = configuration.Parameters{"enabled": true}
	for i, ep := range endpoints {
		cfg.Notifications.Endpoints = append(cfg.Notifications.Endpoints, configuration.Endpoint{
			Name:      fmt.Sprintf("regtest-%d", i),
			URL:       ep.URL,
			Headers:   ep.Headers,
			Timeout:   5 * time.Second,
			Threshold: 1,
			Backoff:   50 * time.Millisecond,
		})
	}
}

// Delete deletes the manifest repo@digest (and so every tag pointing at
// it) with the registry's credentials, uncounted and unfaulted like
// Populate. The distribution registry needs WithNotifications for it.
func (r *Registry) Delete(ctx context.Context, repo, digest string) error {
	ref, err := name.NewDigest(r.Host+"/"+repo+"@"+digest, name.Insecure)
	if err != nil {
		return fmt.Errorf("delete %s@%s: %w", repo, digest, err)
	}
	t := &setupTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	defer t.base.CloseIdleConnections()
	if err := remote.Delete(ref, remote.WithAuth(r.Auth()), remote.WithTransport(t), remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("delete %s@%s: %w", repo, digest, err)
	}
	return nil
}
