package crawler

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// errDigestMismatch is wrapped by the error for content that does not
// match the digest it was fetched by or announced with.
var errDigestMismatch = errors.New("digest mismatch")

// digestOf returns the digest of b with the algorithm of like ("sha256:…"
// or "sha512:…"); sha256 when like is empty.
func digestOf(like string, b []byte) string {
	if strings.HasPrefix(like, "sha512:") {
		sum := sha512.Sum512(b)
		return "sha512:" + hex.EncodeToString(sum[:])
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// manifestDigest returns the digest of manifest bytes b, checked against
// want (the digest asked for, or the registry's Docker-Content-Digest)
// when want is set. A signed schema 1 manifest is identified by the digest
// of its payload without signatures, as the registry computes it.
func manifestDigest(want string, b []byte) (string, error) {
	if want != "" {
		if err := snapshot.ValidateDigest(want); err != nil {
			return "", err
		}
	}
	got := digestOf(want, b)
	if want == "" || got == want {
		if payload, ok := schema1Payload(b); ok && want == "" {
			return digestOf("", payload), nil
		}
		return got, nil
	}
	if payload, ok := schema1Payload(b); ok && digestOf(want, payload) == want {
		return want, nil
	}
	return "", fmt.Errorf("%w: content is %s, want %s", errDigestMismatch, got, want)
}

// verifyBlob checks that b has digest want.
func verifyBlob(want string, b []byte) error {
	if got := digestOf(want, b); got != want {
		return fmt.Errorf("%w: content is %s, want %s", errDigestMismatch, got, want)
	}
	return nil
}

// schema1Payload returns the signed payload of a Docker schema 1 JWS
// manifest (libtrust "pretty JWS": the bytes up to formatLength plus the
// decoded formatTail), or false when b is not one.
func schema1Payload(b []byte) ([]byte, bool) {
	var jws struct {
		SchemaVersion int `json:"schemaVersion"`
		Signatures    []struct {
			Protected string `json:"protected"`
		} `json:"signatures"`
	}
	if json.Unmarshal(b, &jws) != nil || jws.SchemaVersion != 1 || len(jws.Signatures) == 0 {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(jws.Signatures[0].Protected, "="))
	if err != nil {
		return nil, false
	}
	var prot struct {
		FormatLength int    `json:"formatLength"`
		FormatTail   string `json:"formatTail"`
	}
	if json.Unmarshal(raw, &prot) != nil || prot.FormatLength < 0 || prot.FormatLength > len(b) {
		return nil, false
	}
	tail, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(prot.FormatTail, "="))
	if err != nil {
		return nil, false
	}
	return append(b[:prot.FormatLength:prot.FormatLength], tail...), true
}
