package main

import (
	"bytes"
	"context"
	"encoding/json"
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
		{[]string{"list"}, 2, `unknown subcommand "list"`},
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
