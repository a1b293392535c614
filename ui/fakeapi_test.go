package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// fakeAPI is a hand-written API that misbehaves on request: each test sets
// what a route answers (status, headers, body, or a hang / a dropped
// connection) and reads back what was asked. It knows just enough of the
// Wallets API for the console: the connection check, sends and
// transaction status. Live mode points the console at it.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server
	mu  sync.Mutex
	// routes: "METHOD /path" (path after /v1) → handler; a path ending in
	// "*" matches by prefix.
	routes map[string]http.HandlerFunc
	hits   map[string][]time.Time // "METHOD /path" → when each request came
	block  chan struct{}          // closed at cleanup: hanging handlers return
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, routes: map[string]http.HandlerFunc{}, hits: map[string][]time.Time{}, block: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		close(f.block)
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	// a real chain by default: no /v1/sandbox/info; the check passes
	f.on("GET /wallets/server", jsonAnswer(200, `{"result":{"pagination":{"hasMore":false},"wallets":[]}}`))
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/v1")
	k := r.Method + " " + path
	f.mu.Lock()
	f.hits[k] = append(f.hits[k], time.Now())
	h := f.routes[k]
	if h == nil {
		for pat, ph := range f.routes {
			if strings.HasSuffix(pat, "*") && strings.HasPrefix(k, strings.TrimSuffix(pat, "*")) {
				h = ph
				break
			}
		}
	}
	f.mu.Unlock()
	if h == nil {
		jsonAnswer(404, `{"error":{"code":"NOT_FOUND","message":"no route `+k+`"}}`)(w, r)
		return
	}
	h(w, r)
}

// on sets what "METHOD /path" answers.
func (f *fakeAPI) on(route string, h http.HandlerFunc) {
	f.mu.Lock()
	f.routes[route] = h
	f.mu.Unlock()
}

// count is how many requests "METHOD /path" got.
func (f *fakeAPI) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hits[route])
}

func (f *fakeAPI) times(route string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.hits[route]...)
}

func (f *fakeAPI) cfg() flows.Config {
	return flows.Config{Mode: flows.ModeLive, APIURL: f.srv.URL + "/v1", ClientID: "client-fake", SecretKey: testSecret, ChainID: 84532}
}

// hang never answers (until the test ends).
func (f *fakeAPI) hang() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-f.block:
		case <-r.Context().Done():
		}
	}
}

func jsonAnswer(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// sequence answers with hs in turn, then keeps answering with the last.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// drop closes the connection in the middle of the answer.
func drop(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "200")
	w.WriteHeader(200)
	w.Write([]byte(`{"result":{"id":`))
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
		}
	}
}

// txJSON is a GET /transactions/{id} answer.
func txJSON(id string, status apiclient.TxStatus, block, reason string) http.HandlerFunc {
	tx := apiclient.Transaction{ID: id, Status: status, ChainID: "84532", From: testKey}
	if status != apiclient.StatusQueued {
		h := testHash
		tx.TransactionHash = &h
	}
	if block != "" {
		b := apiclient.NumString(block)
		tx.ConfirmedAtBlockNumber = &b
	}
	if reason != "" {
		tx.ErrorMessage = &reason
	}
	b, _ := json.Marshal(map[string]any{"result": tx})
	return jsonAnswer(200, string(b))
}

func idsJSON(ids ...string) http.HandlerFunc {
	b, _ := json.Marshal(map[string]any{"result": map[string]any{"transactionIds": ids}})
	return jsonAnswer(200, string(b))
}

// newFakeConsole is the console in live mode on f, connected, with the
// walkthrough's user, key and confirmed grant in place (as if done), on
// the given screen. Times are real (polls and waits are).
func newFakeConsole(t *testing.T, f *fakeAPI, w, h int, on screenID) (*Model, *uiDriver) {
	t.Helper()
	m, _ := newOffline(t, f.cfg())
	m.opts.Now = time.Now
	m.c.now = time.Now
	d := drive(t, m, w, h)
	d.untilFn(5*time.Second, func() bool { return m.c.runner != nil }, "connected")
	c := m.c
	c.sess.login = flows.Login{Address: testUser, Token: testToken, SessionID: "s-1"}
	c.sess.key = flows.SessionKey{Address: testKey, Identifier: "k-1"}
	c.sess.grant = flows.Grant{Request: flows.BuildGrantRequest(84532, testKey, flows.GrantInput{Duration: time.Hour, Full: true})}
	c.sess.grantOK = true
	m.active = on
	d.exec(m.screens[on].Init())
	d.send(nil)
	return m, d
}

// untilFn processes messages until ok() holds.
func (d *uiDriver) untilFn(timeout time.Duration, ok func() bool, what string) {
	d.t.Helper()
	deadline := time.After(timeout)
	for !ok() {
		select {
		case msg := <-d.ch:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.view())
		}
	}
}

// seen is the screen with every run of whitespace removed, so text that
// wrapped (even inside a word) can be found whole.
func seen(s string) string { return strings.Join(strings.Fields(s), "") }

// untilSeen is until for text that may wrap: whitespace is ignored.
func (d *uiDriver) untilSeen(timeout time.Duration, want ...string) string {
	d.t.Helper()
	var v string
	d.untilFn(timeout, func() bool {
		v = d.view()
		for _, w := range want {
			if !strings.Contains(seen(v), seen(w)) {
				return false
			}
		}
		return true
	}, strings.Join(want, ", "))
	return v
}
