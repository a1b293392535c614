package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
)

// sessionEnv runs runSession with only the given environment.
func sessionEnv(t *testing.T, env map[string]string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	old := sessionGetenv
	sessionGetenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return ""
		}
		return env[k]
	}
	t.Cleanup(func() { sessionGetenv = old })
}

func runSessionT(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runSession(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSessionShowAgainstSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	client := apiclient.New(sb.BaseURL, sb.ClientID(), sb.SecretKey())
	info, err := client.SandboxInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The shipped example targets this sandbox's test token.
	ex, err := flows.LoadPolicyFile("examples/policies/erc20-capped-transfer.json")
	if err != nil || !apiclient.SameAddress(ex.CallPolicies[0].Target, info.TokenAddress) {
		t.Errorf("example policy target %v, sandbox token %s (%v)", ex.CallPolicies, info.TokenAddress, err)
	}
	r := &flows.Runner{Client: client, ChainID: info.DefaultChainID}
	login, err := r.Login(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	key, err := r.CreateSessionKey(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	const recipient = "0x4444444444444444444444444444444444444444"
	call, fe := flows.CallPolicyInput{
		Target: info.TokenAddress, Signature: "transfer(address,uint256)",
		Constraints: []flows.ConstraintInput{
			{Arg: "to", Condition: "==", Value: recipient},
			{Arg: "amount", Condition: "<=", Value: "100e18", LimitType: "lifetime", Limit: "150e18"},
		},
	}.Build()
	if fe != nil {
		t.Fatal(fe)
	}
	transfer, fe := flows.TransferPolicyInput{Target: recipient, MaxValuePerUse: "0.01", LimitType: "allowance", Limit: "0.05", Period: "1h"}.Build()
	if fe != nil {
		t.Fatal(fe)
	}
	g, err := r.Grant(ctx, login, key, flows.GrantInput{Duration: time.Hour, CallPolicies: []apiclient.CallPolicy{call}, TransferPolicies: []apiclient.TransferPolicy{transfer}})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Watch(ctx, g.TxID, nil); err != nil || tx.Status != apiclient.StatusConfirmed {
		t.Fatalf("grant: %+v %v", tx, err)
	}
	ids, err := r.Call(ctx, login, key, []apiclient.ContractCall{{ContractAddress: info.TokenAddress, Method: "function transfer(address to, uint256 amount)", Params: []any{recipient, "108000000000000000000"}}})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Watch(ctx, ids[0], nil); err != nil || tx.Status != apiclient.StatusFailed || !strings.Contains(tx.Error(), "ConditionFailed") {
		t.Fatalf("over-cap call: %+v %v", tx, err)
	}
	ids, err = r.Call(ctx, login, key, []apiclient.ContractCall{{ContractAddress: info.TokenAddress, Method: "function transfer(address to, uint256 amount)", Params: []any{recipient, "100000000000000000000"}}})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Watch(ctx, ids[0], nil); err != nil || tx.Status != apiclient.StatusConfirmed {
		t.Fatalf("call: %+v %v", tx, err)
	}

	sessionEnv(t, map[string]string{flows.EnvAPIURL: sb.BaseURL, flows.EnvClientID: sb.ClientID(), flows.EnvSecretKey: sb.SecretKey()})
	code, out, errOut := runSessionT(t, "show", "--account", login.Address, "--key", strings.ToLower(key.Address))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"session key " + apiclient.Checksum(key.Address),
		"on account  " + apiclient.Checksum(login.Address) + " (chain 84532)",
		"status      LIVE · expires ",
		"call policies (1):\n  1. transfer(address,uint256) (0xa9059cbb) on " + apiclient.Checksum(info.TokenAddress) + " · max 0 ETH per use · args: to == " + recipient + ", amount <= 100e18 (lifetime 150e18, 50e18 left)",
		"transfer policies (1):\n  1. send ETH to " + recipient + " · max 0.01 ETH per use · 0.05 ETH per 1h, 0.05 ETH left this period",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	if !strings.Contains(out, "(in 59m)") && !strings.Contains(out, "(in 1h)") {
		t.Errorf("expiry not about an hour away:\n%s", out)
	}

	code, out, errOut = runSessionT(t, "show", "--account", login.Address, "--key", key.Address, "--json")
	if code != 0 {
		t.Fatalf("json exit %d: %s", code, errOut)
	}
	var v struct {
		Status                  string
		Live                    bool
		CallPolicies            []apiclient.CallPolicy
		CallPolicySummaries     []string
		TransferPolicySummaries []string
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if v.Status != "live" || !v.Live || len(v.CallPolicies) != 1 || len(v.CallPolicySummaries) != 1 || len(v.TransferPolicySummaries) != 1 {
		t.Errorf("json = %s", out)
	}

	// A key never granted on this account.
	code, out, _ = runSessionT(t, "show", "--account", login.Address, "--key", recipient)
	if code != 0 || !strings.Contains(out, "no session") {
		t.Errorf("no session: exit %d\n%s", code, out)
	}
}

func TestSessionShowErrors(t *testing.T) {
	sessionEnv(t, nil)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage: walletconsole session show"},
		{[]string{"frob"}, 2, `unknown subcommand "frob"`},
		{[]string{"show"}, 2, "--account is required"},
		{[]string{"show", "--account", "0x12", "--key", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}, 2, "bad EIP-55 checksum"},
		{[]string{"show", "--account", "0x1111111111111111111111111111111111111111", "--key", "0x2222222222222222222222222222222222222222"}, 2, "no API to ask"},
		{[]string{"show", "extra"}, 2, "unexpected argument"},
	}
	for _, c := range cases {
		code, _, errOut := runSessionT(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if code, out, _ := runSessionT(t, "show", "--help"); code != 0 && !strings.Contains(out, "") {
		t.Errorf("help exit %d", code)
	}
}

func TestSessionShow404(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"Not Found"}`))
	}))
	defer srv.Close()
	sessionEnv(t, map[string]string{flows.EnvAPIURL: srv.URL + "/v1", flows.EnvSecretKey: "sk"})
	code, _, errOut := runSessionT(t, "show", "--account", "0x1111111111111111111111111111111111111111", "--key", "0x2222222222222222222222222222222222222222")
	if code != 1 || !strings.Contains(errOut, "only served by walletconsole's sandbox") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestViewSessionExpiry(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 43, 0, 0, time.Local)
	v := viewSession(apiclient.SessionInfo{ExpiresAtUnix: now.Add(-5 * time.Minute).Unix()}, now)
	if v.Status != "expired" || !strings.Contains(v.Expires, "expired 5m ago") {
		t.Errorf("expired: %+v", v)
	}
	v = viewSession(apiclient.SessionInfo{ExpiresAtUnix: now.Add(time.Hour).Unix()}, now) // chain clock advanced
	if v.Status != "expired" || !strings.Contains(v.Expires, "chain's clock is past it") {
		t.Errorf("advanced: %+v", v)
	}
	var b bytes.Buffer
	printSession(&b, viewSession(apiclient.SessionInfo{ExpiresAtUnix: now.Add(time.Hour).Unix(), Live: true, IsWildcard: true}, now))
	if !strings.Contains(b.String(), "full (wildcard)") || !strings.Contains(b.String(), "(in 1h)") {
		t.Errorf("wildcard:\n%s", b.String())
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// The bar of the lifecycle: grant a scoped key, spend part of its
// allowance and see the meter; advance past the window and see it refill;
// revoke, and a send as the key fails on chain; the list shows the old
// grant replaced and the key revoked. All reads go through the chain's
// JSON-RPC (the sandbox's --rpc-addr), as in live mode.
func TestSessionListAndRevokeAgainstSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{BlockTime: sandbox.MineOnDemand, RPCAddr: freeLoopbackAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	client := apiclient.New(sb.BaseURL, sb.ClientID(), sb.SecretKey())
	info, err := client.SandboxInfo(ctx)
	if err != nil || info.RPCURL == "" {
		t.Fatalf("sandbox info %+v %v", info, err)
	}
	r := &flows.Runner{Client: client, ChainID: info.DefaultChainID}
	login, err := r.Login(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	key, err := r.CreateSessionKey(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	const recipient = "0x4444444444444444444444444444444444444444"
	transfer, fe := flows.TransferPolicyInput{Target: recipient, MaxValuePerUse: "0.01", LimitType: "allowance", Limit: "0.05", Period: "1h"}.Build()
	if fe != nil {
		t.Fatal(fe)
	}
	g, err := r.Grant(ctx, login, key, flows.GrantInput{Duration: 3 * time.Hour, TransferPolicies: []apiclient.TransferPolicy{transfer}})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Watch(ctx, g.TxID, nil); err != nil || tx.Status != apiclient.StatusConfirmed {
		t.Fatalf("grant: %+v %v", tx, err)
	}
	for range 2 {
		ids, err := r.Send(ctx, login, key, []apiclient.Recipient{{Address: recipient, Quantity: "10000000000000000"}})
		if err != nil {
			t.Fatal(err)
		}
		if tx, err := r.Watch(ctx, ids[0], nil); err != nil || tx.Status != apiclient.StatusConfirmed {
			t.Fatalf("send: %+v %v", tx, err)
		}
	}
	sessionEnv(t, map[string]string{flows.EnvAPIURL: sb.BaseURL, flows.EnvClientID: sb.ClientID(), flows.EnvSecretKey: sb.SecretKey()})
	code, out, errOut := runSessionT(t, "list", "--account", login.Address)
	if code != 0 {
		t.Fatalf("list: exit %d %s", code, errOut)
	}
	for _, want := range []string{
		apiclient.Checksum(key.Address) + "  LIVE · scoped",
		"1. send ETH to " + recipient + " · max 0.01 ETH per use · 0.05 ETH per 1h, 0.03 ETH left this period",
		"meter: send ETH to 0x4444…4444: used 0.02 ETH of 0.05 ETH per 1h, 0.03 ETH left, refills in ",
		"read from " + info.RPCURL,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}

	// Past the window: the allowance refills.
	if _, err := client.AdvanceTime(ctx, info.DefaultChainID, 3600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runSessionT(t, "list", "--account", login.Address, "--json")
	var l flows.SessionList
	if err := json.Unmarshal([]byte(out), &l); err != nil || code != 0 {
		t.Fatalf("list --json: exit %d %v\n%s", code, err, out)
	}
	if len(l.Sessions) != 1 || len(l.Sessions[0].Meters) != 1 || l.Sessions[0].Meters[0].Remaining != "50000000000000000" || l.Sessions[0].Meters[0].RefillsAt != 0 {
		t.Errorf("after the window: %+v", l.Sessions)
	}

	// Revoke as the user (token from the environment).
	sessionEnv(t, map[string]string{flows.EnvAPIURL: sb.BaseURL, flows.EnvClientID: sb.ClientID(), flows.EnvSecretKey: sb.SecretKey(), EnvUserToken: login.Token})
	code, out, errOut = runSessionT(t, "revoke", "--account", login.Address, "--key", key.Address)
	if code != 0 {
		t.Fatalf("revoke: exit %d\n%s%s", code, out, errOut)
	}
	t.Log(out)
	for _, want := range []string{
		"before: wildcard false, 0 call and 1 transfer policies",
		"after:  the old permissions are gone: the key's session now allows nothing",
		"probe:  a send as the key (0 ETH to the user) was refused on chain: TransferPolicyViolated",
		"removing the account's delegation instead stops every session at once",
	} {
		if !strings.Contains(strings.ToLower(out), strings.ToLower(want)) {
			t.Errorf("revoke lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, login.Token) {
		t.Error("the user's token was printed")
	}
	// A send as the revoked key still fails.
	ids, err := r.Send(ctx, login, key, []apiclient.Recipient{{Address: recipient, Quantity: "10000000000000000"}})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Watch(ctx, ids[0], nil); err != nil || tx.Status != apiclient.StatusFailed {
		t.Errorf("send after revoke: %+v %v", tx, err)
	}
	code, out, _ = runSessionT(t, "list", "--account", login.Address)
	t.Log(out)
	if code != 0 || !strings.Contains(out, apiclient.Checksum(key.Address)+"  REVOKED") || !strings.Contains(out, apiclient.Checksum(key.Address)+"  REPLACED") ||
		strings.Index(out, "REVOKED") > strings.Index(out, "REPLACED") {
		t.Errorf("list after revoke: exit %d\n%s", code, out)
	}

	// --rpc-url alone (no API) reads the same chain.
	sessionEnv(t, nil)
	code, out, errOut = runSessionT(t, "list", "--account", login.Address, "--rpc-url", info.RPCURL)
	if code != 0 || !strings.Contains(out, "REVOKED") {
		t.Errorf("--rpc-url: exit %d\n%s%s", code, out, errOut)
	}
	// The wrong chain is refused by name.
	code, _, errOut = runSessionT(t, "list", "--account", login.Address, "--rpc-url", info.RPCURL, "--chain", "1")
	if code != 1 || !strings.Contains(errOut, "serves chain 84532, not chain 1") {
		t.Errorf("wrong chain: exit %d %s", code, errOut)
	}
}

// Against the hosted API (no sandbox routes) the default RPC is thirdweb's
// public one with the client ID; --rpc-url overrides it (here pointed at a
// sandbox's --rpc-addr, since the public one is not reachable from tests).
func TestResolveRPCURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	c := apiclient.New(srv.URL+"/v1", "cid123", "sk")
	got, _, err := flows.ResolveRPCURL(context.Background(), flows.Config{ChainID: 8453, ClientID: "cid123"}, c)
	if err != nil || got != "https://8453.rpc.thirdweb.com/cid123" {
		t.Errorf("hosted default: %q %v", got, err)
	}
	got, _, err = flows.ResolveRPCURL(context.Background(), flows.Config{ChainID: 8453, ClientID: "cid123", RPCURL: "http://127.0.0.1:8545"}, c)
	if err != nil || got != "http://127.0.0.1:8545" {
		t.Errorf("explicit: %q %v", got, err)
	}
	if _, _, err := flows.ResolveRPCURL(context.Background(), flows.Config{ChainID: 8453}, c); err == nil {
		t.Error("no client ID and no --rpc-url: no error")
	}
}

func TestSessionRevokeUsage(t *testing.T) {
	sessionEnv(t, nil)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"revoke", "--account", "0x1111111111111111111111111111111111111111", "--key", "0x2222222222222222222222222222222222222222"}, "--token (or WALLETCONSOLE_USER_TOKEN) is required"},
		{[]string{"revoke", "--key", "0x2222222222222222222222222222222222222222", "--token", "t"}, "--account is required"},
		{[]string{"revoke", "--account", "0x1111111111111111111111111111111111111111", "--key", "0x2222222222222222222222222222222222222222", "--token", "t"}, "no API to ask"},
		{[]string{"list", "--account", "0x1111111111111111111111111111111111111111"}, "or pass --rpc-url"},
	} {
		code, _, errOut := runSessionT(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d %q, want %q", c.args, code, errOut, c.want)
		}
	}
}

// Meters of the sandbox token read in its units, as in the console; the
// JSON keeps base units.
func TestPrintSessionListMetersInTokenUnits(t *testing.T) {
	tok := sandboxToken.Address
	calls := []apiclient.CallPolicy{{Target: tok, Selector: "0xa9059cbb", Constraints: []apiclient.Constraint{
		{Condition: apiclient.CondUnconstrained, Index: 1, Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000", Period: "0"}},
	}}}
	limits := []apiclient.LimitState{{Kind: flows.LimitKindCallParam, Target: tok, Selector: "0xa9059cbb", Index: 1, Remaining: "149000000000000000000"}}
	l := flows.SessionList{Sessions: []flows.SessionEntry{{Signer: tok, Status: flows.SessionLive, CallPolicies: calls,
		Meters: flows.Meters(calls, nil, limits, time.Unix(1e9, 0))}}}
	var b strings.Builder
	printSessionList(&b, l, "http://127.0.0.1:8545", flows.MeterAmountIn([]flows.Token{sandboxToken}))
	if want := "used 1 TST of 150 TST in total, 149 TST left"; !strings.Contains(b.String(), want) {
		t.Errorf("no %q in\n%s", want, b.String())
	}
	if m := l.Sessions[0].Meters[0]; m.Used != "1000000000000000000" || m.Remaining != "149000000000000000000" {
		t.Errorf("JSON amounts %+v", m)
	}
}
