package sandbox

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
)

func TestSessionExpiry(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "expiry-user", "expiry-key")
	wantConfirmed(t, f.grant(t, `"durationInSeconds":60,"grantFullPermissions":true`))

	send := `{"chainId":84532,"from":"` + f.sessionKey + `","recipients":[{"address":"` + f.user + `","quantity":"0"}]}`
	wantConfirmed(t, f.wait(t, f.writeIDs(t, "/wallets/send", send, f.sessionHeaders())[0]))

	c, err := r.Chains().Get(DefaultChainID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AdvanceTime(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	wantFailed(t, f.wait(t, f.writeIDs(t, "/wallets/send", send, f.sessionHeaders())[0]), "SessionExpired:")

	res := do(t, "GET", f.url("/sandbox/sessions/"+f.user+"/"+f.sessionKey), "", "x-client-id", r.ClientID())
	var si apiclient.SessionInfo
	res.result(t, &si)
	if si.Live || si.ExpiresAtUnix == 0 {
		t.Errorf("expired session read-back: %s", res.body)
	}
}

// TestAdvanceTimeEndpoint moves the clock over HTTP.
func TestAdvanceTimeEndpoint(t *testing.T) {
	r := start(t, Options{})
	f := fixture{r: r}
	c, _ := r.Chains().Get(DefaultChainID)
	before := c.Now()
	res := do(t, "POST", f.url("/sandbox/advance-time"), `{"chainId":84532,"seconds":3600}`, f.secret()...)
	var out apiclient.AdvanceTimeResult
	res.result(t, &out)
	after, err := time.Parse(time.RFC3339, out.BlockTime)
	if err != nil || after.Sub(before) < time.Hour || out.ChainID != 84532 {
		t.Errorf("advance-time: %s (before %s)", res.body, before)
	}
}

// TestTransferPolicies: native transfers under a scoped grant, each failure
// decoded as "<ErrorName>: <meaning>".
func TestTransferPolicies(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "transfer-user", "transfer-key")
	a := common.HexToAddress("0x00000000000000000000000000000000000000A1").Hex()
	b := common.HexToAddress("0x00000000000000000000000000000000000000B2").Hex()
	other := common.HexToAddress("0x00000000000000000000000000000000000000C3").Hex()
	wantConfirmed(t, f.grant(t, `"durationInSeconds":86400,"grantFullPermissions":false,"transferPolicies":[
		{"target":"`+a+`","maxValuePerUse":"1000","valueLimit":{"limitType":1,"limit":"2500","period":"0"}},
		{"target":"`+b+`","maxValuePerUse":1000,"valueLimit":{"limitType":2,"limit":"1500","period":"3600"}}]`))

	send := func(to string, qty ...int) []string {
		var rs []string
		for _, q := range qty {
			rs = append(rs, fmt.Sprintf(`{"address":"%s","quantity":"%d"}`, to, q))
		}
		return f.writeIDs(t, "/wallets/send", `{"chainId":84532,"from":"`+f.sessionKey+`","recipients":[`+strings.Join(rs, ",")+`]}`, f.sessionHeaders())
	}
	// One request, four transactions, run in order on the account.
	ids := send(a, 1001, 1000, 1000, 1000)
	wantFailed(t, f.wait(t, ids[0]), "MaxValueExceeded: value above max per use")
	wantConfirmed(t, f.wait(t, ids[1]))
	wantConfirmed(t, f.wait(t, ids[2]))
	wantFailed(t, f.wait(t, ids[3]), "LifetimeUsageExceeded: lifetime limit exceeded")

	ids = send(b, 1000, 1000)
	wantConfirmed(t, f.wait(t, ids[0]))
	wantFailed(t, f.wait(t, ids[1]), "AllowanceExceeded: allowance limit exceeded")

	wantFailed(t, f.wait(t, send(other, 1)[0]), "TransferPolicyViolated: no matching policy")

	// Read-back: two transfer policies and their remaining amounts.
	res := do(t, "GET", f.url("/sandbox/sessions/"+f.user+"/"+f.sessionKey+"?chainId=84532"), "", "x-secret-key", r.SecretKey())
	var si apiclient.SessionInfo
	res.result(t, &si)
	if si.IsWildcard || !si.Live || len(si.TransferPolicies) != 2 || len(si.CallPolicies) != 0 {
		t.Fatalf("read-back: %s", res.body)
	}
	tp := si.TransferPolicies[0]
	if !apiclient.SameAddress(tp.Target, a) || tp.MaxValuePerUse != "1000" || tp.ValueLimit == nil || tp.ValueLimit.LimitType != apiclient.LimitLifetime || tp.ValueLimit.Limit != "2500" {
		t.Errorf("transfer policy 0: %+v", tp)
	}
	remaining := map[string]apiclient.Decimal{}
	for _, l := range si.Limits {
		if l.Kind == "transferValue" {
			remaining[common.HexToAddress(l.Target).Hex()] = l.Remaining
		}
	}
	if remaining[a] != "500" || remaining[b] != "500" {
		t.Errorf("remaining: %v (%s)", remaining, res.body)
	}

	// The allowance refills in the next period.
	c, _ := r.Chains().Get(DefaultChainID)
	if err := c.AdvanceTime(time.Hour); err != nil {
		t.Fatal(err)
	}
	wantConfirmed(t, f.wait(t, send(b, 1000)[0]))
}

// TestERC20CallPolicy: transfer(address,uint256) on the test token to one
// recipient, N tokens in all (a lifetime limit on the amount argument).
func TestERC20CallPolicy(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "erc20-user", "erc20-key")
	token := tokenAddr(r)
	recipient := common.HexToAddress("0x00000000000000000000000000000000000000D4").Hex()
	stranger := common.HexToAddress("0x00000000000000000000000000000000000000E5").Hex()
	n := new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18)) // 100 TST
	word := func(a string) string { return "0x" + strings.Repeat("0", 24) + strings.ToLower(a[2:]) }

	wantConfirmed(t, f.grant(t, `"durationInSeconds":3600,"grantFullPermissions":false,"callPolicies":[
		{"target":"`+token+`","selector":"0xa9059cbb","constraints":[
			{"condition":1,"index":0,"refValue":"`+word(recipient)+`"},
			{"condition":0,"index":1,"limit":{"limitType":1,"limit":"`+n.String()+`","period":"0"}}]}]`))

	write := func(method, params string) string {
		return f.writeIDs(t, "/contracts/write", `{"chainId":84532,"calls":[{"contractAddress":"`+token+`","method":"`+method+`","params":`+params+`}]}`, f.sessionHeaders())[0]
	}
	full := "function transfer(address to, uint256 amount)"
	nPlus1 := new(big.Int).Add(n, big.NewInt(1))
	forty := new(big.Int).Mul(big.NewInt(40), big.NewInt(1e18))

	wantFailed(t, f.wait(t, write(full, `["`+recipient+`","`+nPlus1.String()+`"]`)), "LifetimeUsageExceeded: lifetime limit exceeded")
	// 40 via send with tokenAddress, 60 via a write (the amount as a JSON number): N in all.
	sid := f.writeIDs(t, "/wallets/send", `{"chainId":84532,"from":"`+f.sessionKey+`","tokenAddress":"`+token+`","recipients":[{"address":"`+recipient+`","quantity":"`+forty.String()+`"}]}`, f.sessionHeaders())[0]
	wid := write("transfer(address,uint256)", `["`+recipient+`",60000000000000000000]`)
	wantConfirmed(t, f.wait(t, sid))
	wantConfirmed(t, f.wait(t, wid))
	wantFailed(t, f.wait(t, write(full, `["`+recipient+`","1"]`)), "LifetimeUsageExceeded: lifetime limit exceeded")
	wantFailed(t, f.wait(t, write(full, `["`+stranger+`","1"]`)), "ConditionFailed: argument constraint failed")
	wantFailed(t, f.wait(t, write("function approve(address spender, uint256 value) external returns (bool)", `["`+recipient+`","1"]`)), "CallPolicyViolated: no matching policy for this call")
	wantFailed(t, f.wait(t, f.writeIDs(t, "/wallets/send", `{"chainId":84532,"from":"`+f.sessionKey+`","recipients":[{"address":"`+recipient+`","quantity":"1"}]}`, f.sessionHeaders())[0]),
		"TransferPolicyViolated: no matching policy")

	// The recipient holds exactly N.
	res := do(t, "GET", f.url("/wallets/"+recipient+"/balance?chainId=84532&tokenAddress="+token), "", "x-client-id", r.ClientID())
	var bals []apiclient.Balance
	res.result(t, &bals)
	if len(bals) != 1 || bals[0].Value != n.String() || bals[0].DisplayValue != "100" || bals[0].Symbol != "TST" {
		t.Errorf("recipient balance: %s", res.body)
	}

	// Read-back converts the policy to wire form.
	res = do(t, "GET", f.url("/sandbox/sessions/"+f.user+"/"+f.sessionKey), "", "x-client-id", r.ClientID())
	var si apiclient.SessionInfo
	res.result(t, &si)
	if len(si.CallPolicies) != 1 || si.CallPolicies[0].Selector != "0xa9059cbb" || len(si.CallPolicies[0].Constraints) != 2 {
		t.Fatalf("read-back: %s", res.body)
	}
	c0 := si.CallPolicies[0].Constraints[0]
	if c0.Condition != apiclient.CondEqual || c0.RefValue != word(recipient) {
		t.Errorf("constraint 0: %+v", c0)
	}
	found := false
	for _, l := range si.Limits {
		if l.Kind == "callParam" && l.Index == 1 && l.Selector == "0xa9059cbb" {
			found = true
			if l.Remaining != "0" {
				t.Errorf("remaining %s, want 0", l.Remaining)
			}
		}
	}
	if !found {
		t.Errorf("no callParam limit in %s", res.body)
	}
}

// TestFullPermissionsIgnorePolicies: grantFullPermissions true makes a
// wildcard session whatever policies are sent (absent with policies is a
// 400: TestPoliciesWithoutFlag).
func TestFullPermissionsIgnorePolicies(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "wild-user", "wild-key")
	wantConfirmed(t, f.grant(t, `"durationInSeconds":600,"grantFullPermissions":true,"transferPolicies":[{"target":"0x00000000000000000000000000000000000000A1","maxValuePerUse":"1"}]`))
	res := do(t, "GET", f.url("/sandbox/sessions/"+f.user+"/"+f.sessionKey), "", "x-client-id", r.ClientID())
	var si apiclient.SessionInfo
	res.result(t, &si)
	if !si.IsWildcard || len(si.TransferPolicies) != 0 {
		t.Errorf("read-back: %s", res.body)
	}
	other := common.HexToAddress("0x00000000000000000000000000000000000000F6").Hex()
	wantConfirmed(t, f.wait(t, f.writeIDs(t, "/wallets/send", `{"chainId":84532,"recipients":[{"address":"`+other+`","quantity":"12345"}]}`, f.sessionHeaders())[0]))
}
