package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID = "cid_test_0123456789"
	testSecret   = "sk_sandbox_abcdefghijklmnop9f2"
	testToken    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIweDExMTEiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlX2lzX2hlcmVfx9Q"
	userAddr     = "0x1111111111111111111111111111111111111111"
	keyAddr      = "0x2222222222222222222222222222222222222222"
)

// recorded is one request as the test server saw it.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                map[string]any
}

// fakeAPI serves canned responses per "METHOD /path" and records requests.
type fakeAPI struct {
	t    *testing.T
	mu   sync.Mutex
	reqs []recorded
	// responses by "METHOD /path"; each is status + body (+ headers)
	resp map[string]func(w http.ResponseWriter, r *http.Request)
	srv  *httptest.Server
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, resp: map[string]func(http.ResponseWriter, *http.Request){}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()}
		if len(b) > 0 {
			if err := json.Unmarshal(b, &rec.Body); err != nil {
				t.Errorf("request body is not a JSON object: %s", b)
			}
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		h := f.resp[r.Method+" "+strings.TrimPrefix(r.URL.Path, "/v1")]
		f.mu.Unlock()
		if h == nil {
			w.WriteHeader(404)
			io.WriteString(w, `{"error":{"code":"not_found","message":"no route"}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) on(key string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resp[key] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func (f *fakeAPI) last() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		f.t.Fatal("no request recorded")
	}
	return f.reqs[len(f.reqs)-1]
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func (f *fakeAPI) client(opts ...Option) *Client {
	return New(f.srv.URL+"/v1", testClientID, testSecret, opts...)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkHeaders asserts the credential/context headers present and absent.
func checkHeaders(t *testing.T, h http.Header, want map[string]string, absent ...string) {
	t.Helper()
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	for _, k := range absent {
		if got := h.Get(k); got != "" {
			t.Errorf("header %s = %q, want absent", k, got)
		}
	}
	if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, "walletconsole/") {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestGuestLogin(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /auth/complete", 200, `{"isNewUser":true,"token":"`+testToken+`","type":"guest","walletAddress":"`+userAddr+`"}`)
	got, err := f.client().GuestLogin(context.Background(), "session-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Token != testToken || got.WalletAddress != userAddr || !got.IsNewUser {
		t.Errorf("decoded %+v", got)
	}
	r := f.last()
	if r.Method != "POST" || r.Path != "/v1/auth/complete" {
		t.Errorf("%s %s", r.Method, r.Path)
	}
	checkHeaders(t, r.Header, map[string]string{"x-client-id": testClientID, "Content-Type": "application/json"},
		"x-secret-key", "Authorization")
	if r.Body["method"] != "guest" || r.Body["sessionId"] != "session-1" || len(r.Body) != 2 {
		t.Errorf("body %v", r.Body)
	}
}

func TestServerWallets(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /wallets/server", 200, `{"result":{"address":"`+keyAddr+`","createdAt":"2025-11-24T10:00:00Z","profiles":[{"type":"server","identifier":"k1"}]}}`)
	f.on("GET /wallets/server", 200, `{"result":{"pagination":{"hasMore":false,"page":2,"limit":5},"wallets":[{"address":"`+keyAddr+`"}]}}`)
	c := f.client()
	w, err := c.CreateServerWallet(context.Background(), "k1")
	if err != nil {
		t.Fatal(err)
	}
	if w.Address != keyAddr || w.Identifier() != "k1" {
		t.Errorf("decoded %+v", w)
	}
	r := f.last()
	checkHeaders(t, r.Header, map[string]string{"x-secret-key": testSecret, "Content-Type": "application/json"},
		"x-client-id", "Authorization")
	if !reflect.DeepEqual(keys(r.Body), []string{"identifier"}) || r.Body["identifier"] != "k1" {
		t.Errorf("body %v", r.Body)
	}

	list, err := c.ListServerWallets(context.Background(), 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Wallets) != 1 || *list.Pagination.Page != 2 {
		t.Errorf("decoded %+v", list)
	}
	r = f.last()
	if r.Method != "GET" || r.Query != "limit=5&page=2" {
		t.Errorf("%s ?%s", r.Method, r.Query)
	}
	checkHeaders(t, r.Header, map[string]string{"x-secret-key": testSecret}, "x-client-id", "Content-Type")

	// Server-side calls refuse to run without a secret key.
	c.SecretKey = ""
	n := f.count()
	if _, err := c.CreateServerWallet(context.Background(), "k2"); !errors.Is(err, ErrNoSecretKey) {
		t.Errorf("err = %v", err)
	}
	if f.count() != n {
		t.Error("request sent without a secret key")
	}
}

func TestMe(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /wallets/me", 200, `{"result":{"address":"`+userAddr+`","profiles":[{"type":"guest","id":"session-1"}]}}`)
	w, err := f.client().Me(context.Background(), testToken)
	if err != nil || w.Address != userAddr {
		t.Fatalf("%+v %v", w, err)
	}
	checkHeaders(t, f.last().Header, map[string]string{"Authorization": "Bearer " + testToken, "x-client-id": testClientID}, "x-secret-key")
}

func TestCreateSessionKey(t *testing.T) {
	shapes := []struct{ name, body, want string }{
		{"top-level and result (sandbox)", `{"transactionId":"tx-1","result":{"transactionIds":["tx-1"]}}`, "tx-1"},
		{"top-level only (seed)", `{"transactionId":"tx-2"}`, "tx-2"},
		{"result.transactionId", `{"result":{"transactionId":"tx-3"}}`, "tx-3"},
		{"result.transactionIds[0]", `{"result":{"transactionIds":["tx-4","tx-5"]}}`, "tx-4"},
		{"none", `{"result":{"transactionIds":[]}}`, ""},
		{"empty object", `{}`, ""},
	}
	for _, tc := range shapes {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.on("POST /wallets/create-session-key", 200, tc.body)
			req := CreateSessionKeyRequest{ChainID: 84532, SessionKeyAddress: keyAddr, DurationInSeconds: 3600, GrantFullPermissions: Bool(true)}
			id, _, err := f.client().CreateSessionKey(context.Background(), testToken, req)
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), "no transaction ID") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || id != tc.want {
				t.Fatalf("id %q err %v", id, err)
			}
			r := f.last()
			if r.Path != "/v1/wallets/create-session-key" {
				t.Error(r.Path)
			}
			checkHeaders(t, r.Header, map[string]string{"Authorization": "Bearer " + testToken, "x-client-id": testClientID,
				"Content-Type": "application/json"}, "x-secret-key", "x-account-address", "x-session-key-address")
			if got := keys(r.Body); !reflect.DeepEqual(got, []string{"chainId", "durationInSeconds", "grantFullPermissions", "sessionKeyAddress"}) {
				t.Errorf("body fields %v", got)
			}
			if r.Body["chainId"] != float64(84532) || r.Body["durationInSeconds"] != float64(3600) || r.Body["grantFullPermissions"] != true {
				t.Errorf("body %v", r.Body)
			}
		})
	}
}

func TestSendAndWrite(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /wallets/send", 200, `{"result":{"transactionIds":["a","b"]}}`)
	f.on("POST /contracts/write", 200, `{"result":{"transactionId":"c"}}`)
	c := f.client()
	sc := SessionContext{Account: userAddr, SessionKey: keyAddr}
	ids, err := c.Send(context.Background(), sc, SendRequest{ChainID: 84532, From: keyAddr,
		Recipients: []Recipient{{Address: userAddr, Quantity: "0"}}})
	if err != nil || !reflect.DeepEqual(ids, []string{"a", "b"}) {
		t.Fatalf("%v %v", ids, err)
	}
	r := f.last()
	checkHeaders(t, r.Header, map[string]string{"x-secret-key": testSecret, "x-account-address": userAddr,
		"x-session-key-address": keyAddr, "Content-Type": "application/json"}, "x-client-id", "Authorization")
	if got := keys(r.Body); !reflect.DeepEqual(got, []string{"chainId", "from", "recipients"}) {
		t.Errorf("body fields %v", got)
	}
	rc := r.Body["recipients"].([]any)[0].(map[string]any)
	if rc["quantity"] != "0" || rc["address"] != userAddr || r.Body["chainId"] != float64(84532) {
		t.Errorf("body %v", r.Body)
	}

	// No context: no context headers.
	if _, err := c.Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1, Recipients: []Recipient{{Address: userAddr, Quantity: "1"}}}); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, f.last().Header, nil, "x-account-address", "x-session-key-address")

	ids, err = c.WriteContract(context.Background(), sc, ContractWriteRequest{ChainID: 84532, From: keyAddr,
		Calls: []ContractCall{{ContractAddress: userAddr, Method: "function transfer(address to, uint256 amount)", Params: []any{keyAddr, "5"}}}})
	if err != nil || !reflect.DeepEqual(ids, []string{"c"}) {
		t.Fatalf("%v %v", ids, err)
	}
	r = f.last()
	if r.Path != "/v1/contracts/write" {
		t.Error(r.Path)
	}
	checkHeaders(t, r.Header, map[string]string{"x-account-address": userAddr, "x-session-key-address": keyAddr}, "x-client-id")

	f.on("POST /wallets/send", 200, `{"result":{"transactionIds":[]}}`)
	if _, err := c.Send(context.Background(), sc, SendRequest{}); err == nil || !strings.Contains(err.Error(), "no transaction IDs") {
		t.Errorf("err = %v", err)
	}
}

func TestTransactionWrappedAndBare(t *testing.T) {
	rec := `{"id":"tx-1","batchIndex":0,"chainId":84532,"from":"` + keyAddr + `","status":"CONFIRMED","transactionHash":"0xab",
	"confirmedAt":"2025-11-24T10:00:00Z","confirmedAtBlockNumber":1042,"errorMessage":null,"cancelledAt":null,"createdAt":"x"}`
	for name, body := range map[string]string{"wrapped": `{"result":` + rec + `}`, "bare": rec} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.on("GET /transactions/tx-1", 200, body)
			c := f.client()
			tx, err := c.Transaction(context.Background(), "tx-1")
			if err != nil {
				t.Fatal(err)
			}
			if tx.ID != "tx-1" || tx.ChainID != "84532" || tx.Block() != "1042" || tx.Hash() != "0xab" || !tx.Final() || tx.Error() != "" {
				t.Errorf("decoded %+v", tx)
			}
			checkHeaders(t, f.last().Header, map[string]string{"x-secret-key": testSecret}, "x-client-id", "Content-Type")
			// Without a secret key, reads go with the client ID.
			c.SecretKey = ""
			if _, err := c.Transaction(context.Background(), "tx-1"); err != nil {
				t.Fatal(err)
			}
			checkHeaders(t, f.last().Header, map[string]string{"x-client-id": testClientID}, "x-secret-key")
		})
	}
}

func TestTransactionEmptyRecord(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /transactions/tx-9", 200, `{"result":null}`)
	if _, err := f.client().Transaction(context.Background(), "tx-9"); err == nil || !strings.Contains(err.Error(), "no transaction record") {
		t.Errorf("err = %v", err)
	}
}

func TestListsBalanceSandbox(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /transactions", 200, `{"result":{"pagination":{"totalCount":1},"transactions":[{"id":"t","chainId":"84532","status":"QUEUED"}]}}`)
	f.on("GET /wallets/"+userAddr+"/balance", 200, `{"result":[{"chainId":84532,"decimals":18,"displayValue":"0.5","symbol":"ETH","value":"500000000000000000"}]}`)
	f.on("GET /sandbox/info", 200, `{"result":{"version":"1","chains":[84532],"defaultChainId":84532,"fundWei":"1000"}}`)
	f.on("GET /sandbox/sessions/"+userAddr+"/"+keyAddr, 200, `{"result":{"chainId":84532,"isWildcard":true,"live":true}}`)
	f.on("POST /sandbox/advance-time", 200, `{"result":{"chainId":84532,"blockTime":"2030-01-01T00:00:00Z"}}`)
	c := f.client()
	ctx := context.Background()

	tl, err := c.Transactions(ctx, keyAddr, 1, 10)
	if err != nil || len(tl.Transactions) != 1 || tl.Transactions[0].Status != StatusQueued {
		t.Fatalf("%+v %v", tl, err)
	}
	if q := f.last().Query; q != "from="+keyAddr+"&limit=10&page=1" {
		t.Errorf("query %s", q)
	}
	bs, err := c.Balance(ctx, userAddr, []uint64{84532, 1}, "")
	if err != nil || len(bs) != 1 || bs[0].Value != "500000000000000000" {
		t.Fatalf("%+v %v", bs, err)
	}
	if q := f.last().Query; q != "chainId=84532&chainId=1" {
		t.Errorf("query %s", q)
	}
	info, err := c.SandboxInfo(ctx)
	if err != nil || info.DefaultChainID != 84532 {
		t.Fatalf("%+v %v", info, err)
	}
	si, err := c.Session(ctx, 84532, userAddr, keyAddr)
	if err != nil || !si.IsWildcard || !si.Live {
		t.Fatalf("%+v %v", si, err)
	}
	if q := f.last().Query; q != "chainId=84532" {
		t.Errorf("query %s", q)
	}
	at, err := c.AdvanceTime(ctx, 84532, 3600)
	if err != nil || at.BlockTime == "" {
		t.Fatalf("%+v %v", at, err)
	}
	r := f.last()
	checkHeaders(t, r.Header, map[string]string{"x-secret-key": testSecret}, "x-client-id")
	if r.Body["seconds"] != float64(3600) || r.Body["chainId"] != float64(84532) {
		t.Errorf("body %v", r.Body)
	}
}

func TestErrorParsing(t *testing.T) {
	html := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>junk</p>", 500) + "</body></html>"
	cases := []struct {
		name, body string
		status     int
		header     map[string]string
		code, msg  string
		reqID      string
		errLine    string
	}{
		{name: "sandbox object", status: 400, body: `{"error":{"code":"invalid_request","message":"recipients[0].address is not an address"}}`,
			header: map[string]string{"x-request-id": "7f3a9c1e-0000-4000-8000-000000000000"},
			code:   "invalid_request", msg: "recipients[0].address is not an address", reqID: "7f3a9c1e-0000-4000-8000-000000000000",
			errLine: "POST /wallets/send: 400 invalid_request: recipients[0].address is not an address (request 7f3a9c1e…)"},
		{name: "string error", status: 401, body: `{"error":"Unauthorized","correlationId":"abc123"}`,
			msg: "Unauthorized", reqID: "abc123", errLine: "POST /wallets/send: 401: Unauthorized (request abc123)"},
		{name: "message only", status: 403, body: `{"message":"Origin not allowed","code":"FORBIDDEN"}`,
			code: "FORBIDDEN", msg: "Origin not allowed"},
		{name: "numeric code", status: 400, body: `{"error":{"code":400,"message":"bad"}}`, code: "400", msg: "bad"},
		{name: "result message (402)", status: 402, body: `{"result":{"message":"Insufficient funds","link":"https://x","id":"q"}}`,
			msg: "Insufficient funds"},
		{name: "html", status: 502, body: html, msg: "HTML page: 502 Bad Gateway"},
		{name: "empty", status: 500, body: "", msg: "internal server error"},
		{name: "plain text", status: 500, body: "upstream\nexploded", msg: "upstream exploded"},
		{name: "json array", status: 500, body: `[1,2]`, msg: "[1,2]"},
		{name: "error null", status: 404, body: `{"error":null}`, msg: `{"error":null}`},
		{name: "long", status: 500, body: strings.Repeat("x", 5000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.mu.Lock()
			f.resp["POST /wallets/send"] = func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}
			f.mu.Unlock()
			_, err := f.client().Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1})
			e, ok := AsAPIError(err)
			if !ok {
				t.Fatalf("not an APIError: %v", err)
			}
			if e.Status != tc.status || e.Method != "POST" || e.Path != "/wallets/send" {
				t.Errorf("status/method/path %d %s %s", e.Status, e.Method, e.Path)
			}
			if e.Code != tc.code {
				t.Errorf("code %q, want %q", e.Code, tc.code)
			}
			if tc.msg != "" && e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
			if e.RequestID != tc.reqID {
				t.Errorf("request ID %q, want %q", e.RequestID, tc.reqID)
			}
			line := e.Error()
			if strings.Contains(line, "\n") || len(line) > 400 {
				t.Errorf("Error() not one short line: %q", line)
			}
			if tc.errLine != "" && line != tc.errLine {
				t.Errorf("Error() = %q\nwant      %q", line, tc.errLine)
			}
			if StatusOf(err) != tc.status {
				t.Error("StatusOf")
			}
		})
	}
}

func TestErrorsNeverLeakSecrets(t *testing.T) {
	f := newFakeAPI(t)
	// A server that echoes credentials back in its error.
	f.mu.Lock()
	f.resp["POST /wallets/create-session-key"] = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"bad token `+r.Header.Get("Authorization")+` for key `+testSecret+`"}}`)
	}
	f.mu.Unlock()
	c := f.client()
	_, _, err := c.CreateSessionKey(context.Background(), testToken, CreateSessionKeyRequest{ChainID: 1})
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range []string{testSecret, testToken} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
	// Network error: method + path, no secret.
	c2 := New("http://127.0.0.1:1/v1", testClientID, testSecret)
	_, err = c2.Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1})
	if err == nil || !strings.Contains(err.Error(), "(POST /wallets/send)") || strings.Contains(err.Error(), testSecret) {
		t.Errorf("network error %v", err)
	}
	// Decode errors cut the body and mask JWTs.
	f.on("POST /auth/complete", 200, `{"token":`+`"`+testToken+`", "walletAddress": 5}`)
	_, err = c.GuestLogin(context.Background(), "s")
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("decode error %v", err)
	}
}

// retryServer answers GET/POST /transactions/tx with the given statuses in turn.
func retryServer(t *testing.T, statuses []int, retryAfter func(i int) string) (*fakeAPI, *counter) {
	f := newFakeAPI(t)
	n := &counter{}
	handler := func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) && statuses[i] != 200 {
			if ra := retryAfter(i); ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			w.WriteHeader(statuses[i])
			io.WriteString(w, `{"error":{"code":"rate_limited","message":"slow down"}}`)
			return
		}
		io.WriteString(w, `{"result":{"id":"tx","status":"QUEUED","transactionIds":["tx"]}}`)
	}
	f.resp["GET /transactions/tx"] = handler
	f.resp["POST /wallets/send"] = handler
	return f, n
}

type counter struct{ atomic.Int32 }

func (c *counter) n() int { return int(c.Load()) }

func TestRetryGETSeconds(t *testing.T) {
	f, n := retryServer(t, []int{429, 503, 200}, func(i int) string { return []string{"2", "", ""}[i] })
	var waits []time.Duration
	var tries []int
	c := f.client(WithOnExchange(func(e Exchange) { tries = append(tries, e.Attempt) }))
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	tx, err := c.Transaction(context.Background(), "tx")
	if err != nil || tx.ID != "tx" {
		t.Fatalf("%+v %v", tx, err)
	}
	if n.n() != 3 || len(waits) != 2 || waits[0] != 2*time.Second || waits[1] <= 0 || waits[1] > time.Second {
		t.Errorf("requests %d waits %v", n.n(), waits)
	}
	if !reflect.DeepEqual(tries, []int{1, 2, 3}) {
		t.Errorf("exchange attempts %v", tries)
	}
}

func TestRetryGETDate(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	f, n := retryServer(t, []int{429, 200}, func(int) string { return now.Add(4 * time.Second).Format(http.TimeFormat) })
	var waits []time.Duration
	c := f.client()
	c.now = func() time.Time { return now }
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	if _, err := c.Transaction(context.Background(), "tx"); err != nil {
		t.Fatal(err)
	}
	if n.n() != 2 || !reflect.DeepEqual(waits, []time.Duration{4 * time.Second}) {
		t.Errorf("requests %d waits %v", n.n(), waits)
	}
}

func TestRetryRealSleepAndBounds(t *testing.T) {
	// A real (short) wait, honoured.
	f, n := retryServer(t, []int{429, 200}, func(int) string { return "0.05" })
	start := time.Now()
	if _, err := f.client().Transaction(context.Background(), "tx"); err != nil {
		t.Fatal(err)
	}
	if n.n() != 2 || time.Since(start) < 50*time.Millisecond {
		t.Errorf("requests %d in %v", n.n(), time.Since(start))
	}
	// Bounded: always 429 → 3 tries, then the APIError with RetryAfter.
	f, n = retryServer(t, []int{429, 429, 429, 429, 429}, func(int) string { return "1" })
	c := f.client()
	c.sleep = func(context.Context, time.Duration) error { return nil }
	_, err := c.Transaction(context.Background(), "tx")
	if n.n() != 3 || StatusOf(err) != 429 || RetryAfterOf(err) != time.Second {
		t.Errorf("requests %d err %v", n.n(), err)
	}
	// Retry-After beyond the bound: no wait, the error at once.
	f, n = retryServer(t, []int{429, 200}, func(int) string { return "60" })
	_, err = f.client().Transaction(context.Background(), "tx")
	if n.n() != 1 || RetryAfterOf(err) != time.Minute {
		t.Errorf("requests %d err %v", n.n(), err)
	}
	// Context cancelled while waiting.
	f, _ = retryServer(t, []int{503, 200}, func(int) string { return "5" })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = f.client().Transaction(ctx, "tx")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v", err)
	}
}

func TestNoRetryPOST(t *testing.T) {
	f, n := retryServer(t, []int{429, 200}, func(int) string { return "1" })
	var exs []Exchange
	c := f.client(WithOnExchange(func(e Exchange) { exs = append(exs, e) }))
	c.sleep = func(context.Context, time.Duration) error { t.Error("POST waited to retry"); return nil }
	_, err := c.Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1})
	if n.n() != 1 || StatusOf(err) != 429 {
		t.Errorf("requests %d err %v", n.n(), err)
	}
	// The exchange carries the same APIError.
	if len(exs) != 1 || StatusOf(exs[0].Err) != 429 || exs[0].Status != 429 || !strings.Contains(exs[0].Err.Error(), "slow down") {
		t.Errorf("exchanges %+v", exs)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":     0,
		"3":    3 * time.Second,
		"0":    0,
		"-4":   0,
		"1.5":  1500 * time.Millisecond,
		"soon": 0,
		now.Add(7 * time.Second).Format(http.TimeFormat):  7 * time.Second,
		now.Add(-7 * time.Second).Format(http.TimeFormat): 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestExchangeHookAndMasking(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /auth/complete", 200, `{"isNewUser":true,"token":"`+testToken+`","type":"guest","walletAddress":"`+userAddr+`"}`)
	f.on("POST /wallets/create-session-key", 200, `{"transactionId":"t"}`)
	var mu sync.Mutex
	var exs []Exchange
	c := f.client(WithOnExchange(func(e Exchange) { mu.Lock(); exs = append(exs, e); mu.Unlock() }))
	ctx := WithTag(context.Background(), "login")
	if _, err := c.GuestLogin(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CreateSessionKey(WithTag(ctx, "grant"), testToken, CreateSessionKeyRequest{ChainID: 84532, SessionKeyAddress: keyAddr}); err != nil {
		t.Fatal(err)
	}
	c.SecretKey = testSecret
	f.on("POST /wallets/server", 200, `{"result":{"address":"`+keyAddr+`"}}`)
	if _, err := c.CreateServerWallet(WithTag(ctx, "session-key"), "k"); err != nil {
		t.Fatal(err)
	}
	if len(exs) != 3 {
		t.Fatalf("%d exchanges", len(exs))
	}
	login, grant, key := exs[0], exs[1], exs[2]
	if login.Tag != "login" || grant.Tag != "grant" || key.Tag != "session-key" {
		t.Errorf("tags %q %q %q", login.Tag, grant.Tag, key.Tag)
	}
	if login.Method != "POST" || login.Status != 200 || login.URL != f.srv.URL+"/v1/auth/complete" || login.Duration <= 0 || login.Start.IsZero() || login.Err != nil {
		t.Errorf("login exchange %+v", login)
	}
	if login.Path() != "/v1/auth/complete" {
		t.Error(login.Path())
	}
	if !strings.Contains(string(login.ResponseBody), testToken) {
		t.Error("raw response body should be unmasked")
	}
	mb := string(login.MaskedResponseBody())
	if strings.Contains(mb, testToken) || !strings.Contains(mb, `"token":"eyJhbGci…x9Q"`) || !strings.Contains(mb, userAddr) {
		t.Errorf("masked body %s", mb)
	}
	mh := grant.MaskedRequestHeader()
	if got := mh.Get("Authorization"); got != "Bearer eyJhbGci…x9Q" {
		t.Errorf("masked Authorization %q", got)
	}
	if grant.RequestHeader.Get("Authorization") != "Bearer "+testToken {
		t.Error("MaskedRequestHeader changed the original")
	}
	if got := key.MaskedRequestHeader().Get("x-secret-key"); got != "sk…f2" {
		t.Errorf("masked secret %q", got)
	}
	for _, ex := range exs {
		cu := ex.Curl(false)
		for _, s := range []string{testSecret, testToken} {
			if strings.Contains(cu, s) {
				t.Errorf("Curl(false) leaks: %s", cu)
			}
		}
		for k, vs := range ex.MaskedRequestHeader() {
			for _, v := range vs {
				if strings.Contains(v, testSecret) || strings.Contains(v, testToken) {
					t.Errorf("masked header %s leaks", k)
				}
			}
		}
	}
	if cu := grant.Curl(true); !strings.Contains(cu, testToken) {
		t.Errorf("Curl(true) should reveal: %s", cu)
	}
	want := `curl -sS -X POST '` + f.srv.URL + `/v1/wallets/server' -H 'Content-Type: application/json' -H 'x-secret-key: sk…f2' --data-raw '{"identifier":"k"}'`
	if got := key.Curl(false); got != want {
		t.Errorf("Curl:\n%s\nwant\n%s", got, want)
	}
}

func TestMaskSecret(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"short":                     "…",
		"sk_sandbox_1234567890_9f2": "sk…f2",
		testToken:                   "eyJhbGci…x9Q",
	} {
		if got := MaskSecret(in); got != want {
			t.Errorf("MaskSecret(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCurlQuoting(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	body := `{"note":"it's a 'quoted' $HOME \"x\" \\ ` + "`date`" + `"}`
	ex := Exchange{Method: "POST", URL: "http://127.0.0.1:1/v1/wallets/send?a=1&b=2",
		RequestHeader: http.Header{"X-Secret-Key": {testSecret}, "Content-Type": {"application/json"}},
		RequestBody:   []byte(body)}
	cmd := ex.Curl(true)
	// Run it with curl replaced by a function printing its arguments.
	out, err := exec.Command(sh, "-c", `curl() { for a in "$@"; do printf '%s\n' "$a"; done; }; `+cmd).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, cmd)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := []string{"-sS", "-X", "POST", "http://127.0.0.1:1/v1/wallets/send?a=1&b=2", "-H", "Content-Type: application/json",
		"-H", "x-secret-key: " + testSecret, "--data-raw", body}
	if !reflect.DeepEqual(args, want) {
		t.Errorf("shell parsed\n%q\nwant\n%q", args, want)
	}
}

// The on-screen curl is the copied one, split with shell continuations.
func TestCurlMultilineIsTheSameCommand(t *testing.T) {
	e := Exchange{
		Method: "POST", URL: "http://127.0.0.1:1/v1/wallets/send",
		RequestHeader: http.Header{"X-Secret-Key": {"sk_sandbox_supersecret"}, "Content-Type": {"application/json"}},
		RequestBody:   []byte(`{"chainId":84532,"note":"it's"}`),
	}
	for _, reveal := range []bool{false, true} {
		multi := e.CurlMultiline(reveal)
		if strings.Count(multi, "\n") != 3 {
			t.Errorf("want one option per line:\n%s", multi)
		}
		if got := strings.ReplaceAll(multi, " \\\n  ", " "); got != e.Curl(reveal) {
			t.Errorf("reveal=%v:\n%s\n!=\n%s", reveal, got, e.Curl(reveal))
		}
	}
	if strings.Contains(e.CurlMultiline(false), "supersecret") {
		t.Error("secret shown unmasked")
	}
}
