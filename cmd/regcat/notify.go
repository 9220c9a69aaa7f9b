package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/regcat/regcat/notify"
)

// notifyFlags are the flags of the commands that crawl and so may notify
// of changes.
type notifyFlags struct {
	urls       []string
	secretFile string
}

// register adds the flags to fs.
func (f *notifyFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.urls, "notify", nil, "after a run that changed something, POST the changes as JSON to `URL` (repeatable)")
	fs.StringVar(&f.secretFile, "notify-secret-file", "", "sign notifications with an HMAC-SHA256 keyed with the content of `FILE`")
}

// config returns the notification configuration; an unreadable secret
// file is a usage error, the URLs are checked by notify.Config.Validate
// (through pipeline.Config.Validate).
func (f *notifyFlags) config() (notify.Config, error) {
	cfg := notify.Config{URLs: f.urls}
	if f.secretFile == "" {
		return cfg, nil
	}
	secret, err := readSecretFile(f.secretFile)
	if err != nil {
		return cfg, &usageError{fmt.Errorf("--notify-secret-file: %w", err)}
	}
	cfg.Secret = []byte(secret)
	return cfg, nil
}
