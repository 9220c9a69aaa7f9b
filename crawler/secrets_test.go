package crawler

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/regcat/regcat/internal/regtest"
)

// TestCredentialsNeverLeak crawls registries that need credentials, with
// failures and a wrong password, and searches every log line, error and
// snapshot byte for the secrets.
func TestCredentialsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, r := range registries {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			reg := populate(t, r.start(t), fixtureFor(t, r.schema1))
			if reg.Password == "" {
				t.Skip("anonymous registry")
			}
			secrets := []string{
				reg.Password,
				base64.StdEncoding.EncodeToString([]byte(reg.Username + ":" + reg.Password)),
				"Authorization", "Bearer ", "Basic ", "access_token", "scope=", "service=",
			}
			var logs syncBuffer
			var out []string

			// A good crawl with a permanent failure, the credentials also
			// written into the address.
			reg.Faults.Set(regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusUnauthorized, Times: -1, Repo: "base/os", Routes: []regtest.Route{regtest.RouteManifestGet}})
			cfg := testConfig(reg)
			cfg.Registry = "http://" + reg.Username + ":" + reg.Password + "@" + reg.Host + "/v2/?token=" + reg.Password
			cfg.Logger = debugLogger(&logs)
			snap, _, err := Crawl(context.Background(), cfg)
			if err != nil {
				t.Fatalf("crawl: %v", err)
			}
			if snap.Index.Registry != reg.Host {
				t.Errorf("registry %q, want %q", snap.Index.Registry, reg.Host)
			}
			if len(failures(snap)) == 0 {
				t.Error("no failure recorded: the test would not see failure texts")
			}
			fs, err := snap.Files()
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range fs {
				out = append(out, name+": "+string(b))
			}

			// A wrong password: the crawl fails as a whole.
			reg.Faults.Set()
			cfg.Registry = reg.Host
			cfg.Auth = &authn.Basic{Username: reg.Username, Password: reg.Password + "-wrong"}
			_, _, err = Crawl(context.Background(), cfg)
			if !errors.Is(err, ErrAuth) {
				t.Errorf("wrong password: error %v, want ErrAuth", err)
			}
			if err != nil {
				out = append(out, err.Error())
			}
			out = append(out, logs.String())
			if !strings.Contains(logs.String(), "base/os") {
				t.Error("the log does not mention the failure: the test would not see log texts")
			}
			for _, text := range out {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("%q leaked in:\n%s", s, text)
					}
				}
			}
		})
	}
}
