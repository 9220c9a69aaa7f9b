package refresh

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/regcat/regcat/snapshot"
)

// The hook endpoints.
const (
	// HookPrefix is the path prefix of every hook endpoint: no site path
	// starts with "/-/" (repository pages are under r/).
	HookPrefix = "/-/hooks/"
	// PathRegistry receives CNCF distribution registry notifications.
	PathRegistry = HookPrefix + "registry"
	// PathRefresh receives refresh requests of CI jobs and Docker Hub.
	PathRefresh = HookPrefix + "refresh"
	// PathStatus answers the refresher's [Status].
	PathStatus = HookPrefix + "status"
)

// MaxBody caps a hook request's body; a longer one gets 413. The
// distribution registry sends one event per request, about 1 KiB.
const MaxBody = 1 << 20

// ServeHTTP serves the hook endpoints, all answering JSON:
//
//   - POST [PathRegistry]: a distribution notification envelope
//     (application/vnd.docker.distribution.events.v1+json or v2+json:
//     {"events":[{"action":..., "target":{"repository":..., ...}}]});
//     push and delete events queue their repositories, others (pull,
//     mount) are ignored.
//   - POST [PathRefresh]: ?repo=NAME (repeatable), or a JSON body with
//     repository.repo_name (Docker Hub's webhook payload); neither means
//     the whole registry.
//   - GET [PathStatus]: the [Status].
//
// The POST endpoints require the token, as "Authorization: Bearer TOKEN"
// or, for senders that cannot set headers, "?token=TOKEN" (compared in
// constant time), else 401. A body over [MaxBody] gets 413, a malformed
// one or an invalid repository name 400; nothing is queued then. A
// request that queues answers 202 at once, one with nothing to do 200.
func (r *Refresher) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	switch req.URL.Path {
	case PathRegistry:
		r.hook(w, req, registryNames)
	case PathRefresh:
		r.hook(w, req, refreshNames)
	case PathStatus:
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			reply(w, http.StatusMethodNotAllowed, errorReply("method not allowed"))
			return
		}
		reply(w, http.StatusOK, r.Status())
	default:
		reply(w, http.StatusNotFound, errorReply("no such hook"))
	}
}

// hookReply is the answer to a hook request that was accepted.
type hookReply struct {
	Queued       bool     `json:"queued"`
	All          bool     `json:"all"`
	Repositories []string `json:"repositories"`
}

type errReply struct {
	Error string `json:"error"`
}

func errorReply(msg string) errReply { return errReply{Error: msg} }

// names reads what a hook's request names: the repositories, or all for
// the whole registry; an error is the sender's (400).
type names func(req *http.Request, body []byte) (repos []string, all bool, err error)

// hook authenticates req, reads its capped body, and queues what parse
// finds in it.
func (r *Refresher) hook(w http.ResponseWriter, req *http.Request, parse names) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		reply(w, http.StatusMethodNotAllowed, errorReply("method not allowed"))
		return
	}
	if !r.authorized(req) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="regcat hooks"`)
		reply(w, http.StatusUnauthorized, errorReply("missing or wrong token"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		reply(w, http.StatusRequestEntityTooLarge, errorReply(fmt.Sprintf("body over %d bytes", MaxBody)))
		return
	case err != nil:
		reply(w, http.StatusBadRequest, errorReply("unreadable body"))
		return
	}
	repos, all, err := parse(req, body)
	if err != nil {
		reply(w, http.StatusBadRequest, errorReply(err.Error()))
		return
	}
	if !all && len(repos) == 0 {
		reply(w, http.StatusOK, hookReply{Repositories: []string{}})
		return
	}
	if all {
		repos = nil
	}
	if err := r.Request(repos); err != nil {
		reply(w, http.StatusBadRequest, errorReply(err.Error()))
		return
	}
	r.log.Debug("hook queued", "path", req.URL.Path, "all", all, "repos", repos)
	reply(w, http.StatusAccepted, hookReply{Queued: true, All: all, Repositories: nonNil(repos)})
}

// authorized reports whether req carries the token: in an Authorization
// header when it has one, else in the token query parameter.
func (r *Refresher) authorized(req *http.Request) bool {
	var got string
	if h := req.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return false
		}
		got = strings.TrimSpace(tok)
	} else {
		got = req.URL.Query().Get("token")
	}
	// Hashing first makes the comparison constant-time in the length too.
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(r.cfg.Token))
	return got != "" && subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// envelope is the part of a distribution notification envelope a refresh
// needs (distribution's notifications.Envelope and Event).
type envelope struct {
	Events *[]struct {
		Action string `json:"action"`
		Target struct {
			Repository string `json:"repository"`
		} `json:"target"`
	} `json:"events"`
}

// registryNames returns the repositories of the push and delete events of
// a distribution notification envelope.
func registryNames(_ *http.Request, body []byte) ([]string, bool, error) {
	var env envelope
	if err := decode(body, &env); err != nil {
		return nil, false, err
	}
	if env.Events == nil {
		return nil, false, errors.New("not a notification envelope: no events")
	}
	var repos []string
	for _, ev := range *env.Events {
		switch ev.Action {
		case "push", "delete":
		default: // pull, mount and actions to come change no tag
			continue
		}
		if err := snapshot.ValidateRepoName(ev.Target.Repository); err != nil {
			return nil, false, fmt.Errorf("event target: %w", err)
		}
		repos = append(repos, ev.Target.Repository)
	}
	return repos, false, nil
}

// dockerHub is the part of Docker Hub's webhook payload a refresh needs.
type dockerHub struct {
	Repository struct {
		RepoName string `json:"repo_name"`
	} `json:"repository"`
}

// refreshNames returns the ?repo= names and the repository.repo_name of a
// JSON body; with none of them, the whole registry.
func refreshNames(req *http.Request, body []byte) ([]string, bool, error) {
	repos := req.URL.Query()["repo"]
	if len(bytes.TrimSpace(body)) > 0 {
		var hub dockerHub
		if err := decode(body, &hub); err != nil {
			return nil, false, err
		}
		if n := hub.Repository.RepoName; n != "" {
			repos = append(repos, n)
		}
	}
	for _, n := range repos {
		if err := snapshot.ValidateRepoName(n); err != nil {
			return nil, false, fmt.Errorf("repo: %w", err)
		}
	}
	return repos, len(repos) == 0, nil
}

// decode decodes one JSON object from body, and nothing after it.
func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON body: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("malformed JSON body: data after the object")
	}
	return nil
}

// reply writes v as JSON with status.
func reply(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
