package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
)

// start serves a sandbox on loopback for one test.
func start(t *testing.T, opts Options) *Running {
	t.Helper()
	if opts.BlockTime == 0 {
		opts.BlockTime = MineOnDemand
	}
	r, err := Listen(context.Background(), "127.0.0.1:0", opts)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// result decodes {"result": v}.
func (r resp) result(t *testing.T, v any) {
	t.Helper()
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	r.json(t, &env)
	if env.Result == nil {
		t.Fatalf("no result in %s", r.body)
	}
	if err := json.Unmarshal(env.Result, v); err != nil {
		t.Fatalf("decoding result %s: %v", env.Result, err)
	}
}

func (r resp) errBody(t *testing.T) apiclient.ErrorDetail {
	t.Helper()
	var e apiclient.ErrorBody
	r.json(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body without code/message: %s", r.body)
	}
	return e.Error
}

// do sends a raw request; headers are name, value pairs.
func do(t *testing.T, method, url, body string, headers ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("x-request-id") == "" {
		t.Errorf("%s %s: no x-request-id header (status %d)", method, url, res.StatusCode)
	}
	return resp{res.StatusCode, res.Header, b}
}

// expect checks an error answer's status and that the message contains want.
func expect(t *testing.T, r resp, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d: %s", r.status, status, r.body)
		return
	}
	e := r.errBody(t)
	if want != "" && !strings.Contains(e.Message, want) {
		t.Errorf("message %q does not contain %q", e.Message, want)
	}
}

// fixture is a logged-in guest with a session-key server wallet.
type fixture struct {
	r          *Running
	token      string
	user       string
	sessionKey string
}

func (f fixture) url(p string) string { return f.r.BaseURL + p }

func (f fixture) secret() []string {
	return []string{"x-secret-key", f.r.SecretKey(), "Content-Type", "application/json"}
}

func (f fixture) sessionHeaders() []string {
	return append(f.secret(), "x-account-address", f.user, "x-session-key-address", f.sessionKey)
}

func (f fixture) userHeaders() []string {
	return []string{"Authorization", "Bearer " + f.token, "x-client-id", f.r.ClientID(), "Content-Type", "application/json"}
}

func newFixture(t *testing.T, r *Running, sessionID, identifier string) fixture {
	t.Helper()
	f := fixture{r: r}
	res := do(t, "POST", f.url("/auth/complete"), `{"method":"guest","sessionId":"`+sessionID+`"}`,
		"x-client-id", r.ClientID(), "Content-Type", "application/json")
	if res.status != 200 {
		t.Fatalf("auth: %d %s", res.status, res.body)
	}
	var a apiclient.AuthCompleteResponse
	res.json(t, &a)
	f.token, f.user = a.Token, a.WalletAddress
	res = do(t, "POST", f.url("/wallets/server"), `{"identifier":"`+identifier+`"}`, f.secret()...)
	if res.status != 200 {
		t.Fatalf("server wallet: %d %s", res.status, res.body)
	}
	var w apiclient.Wallet
	res.result(t, &w)
	f.sessionKey = w.Address
	return f
}

// grant posts create-session-key with the given JSON fields (after chainId
// and sessionKeyAddress) and waits until the grant is final.
func (f fixture) grant(t *testing.T, extra string) apiclient.Transaction {
	t.Helper()
	body := `{"chainId":84532,"sessionKeyAddress":"` + f.sessionKey + `",` + extra + `}`
	res := do(t, "POST", f.url("/wallets/create-session-key"), body, f.userHeaders()...)
	if res.status != 200 {
		t.Fatalf("grant: %d %s", res.status, res.body)
	}
	var g apiclient.CreateSessionKeyResponse
	res.json(t, &g)
	id, ok := g.ID()
	if !ok {
		t.Fatalf("grant: no id in %s", res.body)
	}
	return f.wait(t, id)
}

// writeIDs posts a write and returns its IDs (status 200 expected).
func (f fixture) writeIDs(t *testing.T, path, body string, headers []string) []string {
	t.Helper()
	res := do(t, "POST", f.url(path), body, headers...)
	if res.status != 200 {
		t.Fatalf("%s: %d %s", path, res.status, res.body)
	}
	var ids apiclient.TransactionIDs
	res.result(t, &ids)
	if len(ids.TransactionIDs) == 0 {
		t.Fatalf("%s: no ids: %s", path, res.body)
	}
	return ids.TransactionIDs
}

// wait polls a transaction until it is final.
func (f fixture) wait(t *testing.T, id string) apiclient.Transaction {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := do(t, "GET", f.url("/transactions/"+id), "", "x-secret-key", f.r.SecretKey())
		if res.status != 200 {
			t.Fatalf("tx %s: %d %s", id, res.status, res.body)
		}
		var tx apiclient.Transaction
		res.result(t, &tx)
		if tx.Final() {
			return tx
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not final: %s", id, res.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func wantConfirmed(t *testing.T, tx apiclient.Transaction) {
	t.Helper()
	if tx.Status != apiclient.StatusConfirmed {
		t.Fatalf("tx %s: status %s (%s), want CONFIRMED", tx.ID, tx.Status, tx.Error())
	}
	if h := tx.Hash(); len(h) != 66 || !strings.HasPrefix(h, "0x") {
		t.Errorf("tx %s: hash %q", tx.ID, h)
	}
	if tx.Block() == "" || tx.ConfirmedAt == nil {
		t.Errorf("tx %s: no confirmation: %+v", tx.ID, tx)
	}
}

func wantFailed(t *testing.T, tx apiclient.Transaction, prefix string) {
	t.Helper()
	if tx.Status != apiclient.StatusFailed {
		t.Fatalf("tx %s: status %s, want FAILED (%s)", tx.ID, tx.Status, prefix)
	}
	if !strings.HasPrefix(tx.Error(), prefix) {
		t.Errorf("tx %s: errorMessage %q, want prefix %q", tx.ID, tx.Error(), prefix)
	}
	if tx.ConfirmedAt != nil {
		t.Errorf("tx %s: FAILED with confirmedAt set", tx.ID)
	}
	// mined and reverted: the block it failed in and its hash
	if tx.Hash() != "" && tx.Block() == "" {
		t.Errorf("tx %s: FAILED in a block (hash %s) but no confirmedAtBlockNumber", tx.ID, tx.Hash())
	}
	if tx.Block() != "" && tx.Hash() == "" {
		t.Errorf("tx %s: FAILED with a block but no hash", tx.ID)
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
