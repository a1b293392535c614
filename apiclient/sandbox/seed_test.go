package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
)

// TestSeedExample replays the seed's four fetch calls (docs/api.md,
// the four-call example) with plain net/http and raw JSON, exactly its
// headers and bodies, then polls both IDs. The send goes out right after the
// grant's answer, before the grant is mined, so both confirming proves the
// per-account ordering.
func TestSeedExample(t *testing.T) {
	r := start(t, Options{BlockTime: 100 * time.Millisecond})
	api, clientID, secret := r.BaseURL, r.ClientID(), r.SecretKey()
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)

	// 1. Guest user.
	res := do(t, "POST", api+"/auth/complete",
		`{"method":"guest","sessionId":"session-`+now+`"}`,
		"x-client-id", clientID, "Content-Type", "application/json")
	if res.status != 200 {
		t.Fatalf("auth/complete: %d %s", res.status, res.body)
	}
	var guest map[string]any
	res.json(t, &guest)
	userToken, _ := guest["token"].(string)
	userAddress, _ := guest["walletAddress"].(string)
	if userToken == "" || !strings.HasPrefix(userAddress, "0x") || len(userAddress) != 42 {
		t.Fatalf("guest answer: %s", res.body)
	}
	if guest["isNewUser"] != true || guest["type"] != "guest" {
		t.Errorf("guest answer: %s", res.body)
	}

	// 2. Server wallet (session key).
	res = do(t, "POST", api+"/wallets/server",
		`{"identifier":"session-key-`+now+`"}`,
		"x-secret-key", secret, "Content-Type", "application/json")
	if res.status != 200 {
		t.Fatalf("wallets/server: %d %s", res.status, res.body)
	}
	var sk struct {
		Result struct {
			Address string `json:"address"`
		} `json:"result"`
	}
	res.json(t, &sk)
	sessionKeyAddress := sk.Result.Address
	if len(sessionKeyAddress) != 42 {
		t.Fatalf("wallets/server: %s", res.body)
	}

	// 3. Grant.
	res = do(t, "POST", api+"/wallets/create-session-key",
		`{"chainId":84532,"sessionKeyAddress":"`+sessionKeyAddress+`","durationInSeconds":3600,"grantFullPermissions":true}`,
		"Authorization", "Bearer "+userToken, "x-client-id", clientID, "Content-Type", "application/json")
	if res.status != 200 {
		t.Fatalf("create-session-key: %d %s", res.status, res.body)
	}
	var grantData map[string]any
	res.json(t, &grantData)
	grantID, _ := grantData["transactionId"].(string)
	if grantID == "" {
		t.Fatalf("no top-level transactionId: %s", res.body)
	}

	// 4. Execute, at once.
	res = do(t, "POST", api+"/wallets/send",
		`{"chainId":84532,"from":"`+sessionKeyAddress+`","recipients":[{"address":"`+userAddress+`","quantity":"0"}]}`,
		"x-secret-key", secret, "Content-Type", "application/json",
		"x-account-address", userAddress, "x-session-key-address", sessionKeyAddress)
	if res.status != 200 {
		t.Fatalf("wallets/send: %d %s", res.status, res.body)
	}
	var executeData struct {
		Result struct {
			TransactionIDs []string `json:"transactionIds"`
		} `json:"result"`
	}
	res.json(t, &executeData)
	if len(executeData.Result.TransactionIDs) != 1 {
		t.Fatalf("send ids: %s", res.body)
	}
	sendID := executeData.Result.TransactionIDs[0]

	// The grant is not mined yet when the send is accepted.
	f := fixture{r: r}
	res = do(t, "GET", api+"/transactions/"+grantID, "", "x-secret-key", secret)
	var early apiclient.Transaction
	res.result(t, &early)
	if early.Final() {
		t.Logf("note: grant was already final when the send was accepted (%s)", early.Status)
	}

	grant := f.wait(t, grantID)
	send := f.wait(t, sendID)
	wantConfirmed(t, grant)
	wantConfirmed(t, send)
	gb, _ := strconv.ParseUint(grant.Block(), 10, 64)
	sb, _ := strconv.ParseUint(send.Block(), 10, 64)
	// The send runs after the grant: a later block, or later in the same
	// block (both are the relayer's, in nonce order).
	if sb < gb || (sb == gb && txIndex(t, r.Server, send) <= txIndex(t, r.Server, grant)) {
		t.Errorf("send mined at block %d index %d, not after the grant (block %d index %d)", sb, txIndex(t, r.Server, send), gb, txIndex(t, r.Server, grant))
	}

	// Record shape (§3.8).
	res = do(t, "GET", api+"/transactions/"+sendID, "", "x-secret-key", secret)
	var raw struct {
		Result map[string]json.RawMessage `json:"result"`
	}
	res.json(t, &raw)
	for _, k := range []string{"id", "batchIndex", "chainId", "clientId", "from", "status", "transactionHash",
		"confirmedAt", "confirmedAtBlockNumber", "errorMessage", "cancelledAt", "createdAt",
		"executionParams", "transactionParams", "executionResult", "enrichedData"} {
		if _, ok := raw.Result[k]; !ok {
			t.Errorf("record lacks %q: %s", k, res.body)
		}
	}
	if string(raw.Result["chainId"]) != `"84532"` || string(raw.Result["errorMessage"]) != "null" {
		t.Errorf("record chainId/errorMessage: %s", res.body)
	}
	if !apiclient.SameAddress(send.From, sessionKeyAddress) || send.ClientID != clientID {
		t.Errorf("record from/clientId: %s", res.body)
	}
	var ep apiclient.ExecutionParams7702
	if err := json.Unmarshal(send.ExecutionParams, &ep); err != nil || ep.Type != "EIP7702" ||
		!apiclient.SameAddress(ep.AccountAddress, userAddress) || !apiclient.SameAddress(ep.SessionKeyAddress, sessionKeyAddress) || ep.ChainID != "84532" {
		t.Errorf("executionParams: %s (%v)", send.ExecutionParams, err)
	}
	var tp []apiclient.TransactionParam
	if err := json.Unmarshal(send.TransactionParams, &tp); err != nil || len(tp) != 1 ||
		!apiclient.SameAddress(tp[0].To, userAddress) || tp[0].Value != "0" || tp[0].Data != "0x" {
		t.Errorf("transactionParams: %s (%v)", send.TransactionParams, err)
	}

	// The grant is visible on chain.
	res = do(t, "GET", api+"/sandbox/sessions/"+userAddress+"/"+sessionKeyAddress+"?chainId=84532", "", "x-client-id", clientID)
	var si apiclient.SessionInfo
	res.result(t, &si)
	if !si.IsWildcard || !si.Live || si.ExpiresAt == "" {
		t.Errorf("session read-back: %s", res.body)
	}
}

// TestCORSPreflight: a browser running the seed's fetch from a loopback
// page gets through (other origins: TestBrowserOriginsAndHosts).
func TestCORSPreflight(t *testing.T) {
	r := start(t, Options{})
	res := do(t, "OPTIONS", r.BaseURL+"/wallets/send", "",
		"Origin", "http://localhost:3000",
		"Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "x-secret-key,content-type,x-account-address,x-session-key-address")
	if res.status != 204 {
		t.Fatalf("preflight status %d", res.status)
	}
	h := res.header
	if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("allow-origin %q", h.Get("Access-Control-Allow-Origin"))
	}
	allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
	for _, want := range []string{"content-type", "authorization", "x-client-id", "x-secret-key", "x-account-address", "x-session-key-address"} {
		if !strings.Contains(allowed, want) {
			t.Errorf("allow-headers %q lacks %s", allowed, want)
		}
	}
	if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("allow-methods %q", h.Get("Access-Control-Allow-Methods"))
	}
	res = do(t, "POST", r.BaseURL+"/auth/complete", `{"method":"guest"}`, "x-client-id", r.ClientID(), "Origin", "http://localhost:3000")
	if res.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || !strings.Contains(res.header.Get("Access-Control-Expose-Headers"), "x-request-id") {
		t.Errorf("CORS headers on a POST: %v", res.header)
	}
}
