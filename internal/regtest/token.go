package regtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/distribution/distribution/v3/registry/auth/token"
)

// The token server's fixed names, as the registry's token access controller
// is configured with them.
const (
	tokenPath    = "/token"
	tokenService = "regtest.registry"
	tokenIssuer  = "regtest-token-issuer"
	tokenTTL     = 5 * time.Minute
)

// tokenServer is a small Docker token server (distribution's "token"
// specification): it checks basic credentials, or a password grant on POST,
// and issues an ES256 JWT granting every requested scope. Anonymous requests
// get a token that grants nothing, as Harbor and others do for private
// repositories; wrong credentials get 401.
type tokenServer struct {
	key          *ecdsa.PrivateKey
	kid          string
	bundle       string // path of the PEM root certificate bundle
	user, secret string
	serial       atomic.Int64
}

// newTokenServer makes a signing key and writes its self-signed certificate
// into dir as the registry's root certificate bundle.
func newTokenServer(dir, user, password string) (*tokenServer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "regtest token signer"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("token certificate: %w", err)
	}
	bundle := filepath.Join(dir, "token-root.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, fmt.Errorf("token certificate: %w", err)
	}
	return &tokenServer{
		key:    key,
		kid:    token.GetJWKThumbprint(&key.PublicKey),
		bundle: bundle,
		user:   user,
		secret: password,
	}, nil
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != tokenPath {
		http.NotFound(w, r)
		return
	}
	var user, password, service string
	var scopes []string
	var hasCreds bool
	switch r.Method {
	case http.MethodGet:
		user, password, hasCreds = r.BasicAuth()
		service = r.URL.Query().Get("service")
		scopes = r.URL.Query()["scope"]
	case http.MethodPost:
		// OAuth2 password grant, as docker login uses it.
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "password" {
			tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
			return
		}
		user, password, hasCreds = r.PostForm.Get("username"), r.PostForm.Get("password"), true
		service = r.PostForm.Get("service")
		scopes = []string{r.PostForm.Get("scope")}
	default:
		tokenError(w, http.StatusMethodNotAllowed, "unsupported method")
		return
	}
	if service != tokenService {
		tokenError(w, http.StatusBadRequest, "unknown service")
		return
	}
	if hasCreds && (user != s.user || password != s.secret) {
		w.Header().Set("WWW-Authenticate", `Basic realm="regtest-token"`)
		tokenError(w, http.StatusUnauthorized, "invalid credentials")
		return
	}
	var access []*token.ResourceActions
	if hasCreds {
		access = parseScopes(scopes)
	}
	now := time.Now()
	jwt, err := s.sign(token.ClaimSet{
		Issuer:     tokenIssuer,
		Subject:    user,
		Audience:   token.AudienceList{tokenService},
		Expiration: now.Add(tokenTTL).Unix(),
		NotBefore:  now.Add(-time.Second).Unix(),
		IssuedAt:   now.Unix(),
		JWTID:      fmt.Sprintf("regtest-%d", s.serial.Add(1)),
		Access:     access,
	})
	if err != nil {
		tokenError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token":        jwt,
		"access_token": jwt,
		"expires_in":   int(tokenTTL.Seconds()),
		"issued_at":    now.UTC().Format(time.RFC3339),
	})
}

// parseScopes reads "type:name:action,action" scopes; several may share one
// parameter, separated by spaces. The name may itself hold colons.
func parseScopes(params []string) []*token.ResourceActions {
	var out []*token.ResourceActions
	for _, p := range params {
		for _, scope := range strings.Fields(p) {
			typ, rest, ok := strings.Cut(scope, ":")
			i := strings.LastIndex(rest, ":")
			if !ok || i < 0 {
				continue
			}
			out = append(out, &token.ResourceActions{Type: typ, Name: rest[:i], Actions: strings.Split(rest[i+1:], ",")})
		}
	}
	return out
}

// sign returns claims as a compact ES256 JWS whose kid is the key's JWK
// thumbprint, which the registry trusts through the root bundle.
func (s *tokenServer) sign(claims token.ClaimSet) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": s.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64) // JWS ES256: R and S, 32 bytes each (RFC 7518 §3.4)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig), nil
}

func tokenError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "UNAUTHORIZED", "message": msg}}})
}
