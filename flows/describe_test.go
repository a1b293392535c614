package flows

import (
	"math/big"
	"strings"
	"testing"

	"walletconsole/apiclient"
)

func TestDescribeCallPolicy(t *testing.T) {
	limits := []apiclient.LimitState{
		{Kind: LimitKindCallParam, Target: tokenAddr, Selector: "0xa9059cbb", Index: 1, Remaining: "42000000000000000000"},
	}
	got := DescribeCallPolicy(exampleCall, limits)
	want := "transfer(address,uint256) (0xa9059cbb) on 0x3333333333333333333333333333333333333333 · max 0 ETH per use · args: to == 0x4444444444444444444444444444444444444444, amount <= 100e18 (lifetime 150e18, 42e18 left)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := DescribeCallPolicy(exampleCall, nil); got != want[:len(want)-len(", 42e18 left)")]+")" {
		t.Errorf("without limits: %s", got)
	}

	raw := apiclient.CallPolicy{Target: tokenAddr, Selector: "0xDEADBEEF", MaxValuePerUse: "10000000000000000",
		ValueLimit:  &apiclient.UsageLimit{LimitType: apiclient.LimitAllowance, Limit: "100000000000000000", Period: "86400"},
		Constraints: []apiclient.Constraint{{Condition: apiclient.CondGreater, Index: 2, RefValue: "0x00000000000000000000000000000000000000000000000000000000000003e8"}, {Condition: apiclient.CondUnconstrained, Index: 0, RefValue: zeroWord, Limit: &apiclient.UsageLimit{LimitType: 1, Limit: "5"}}}}
	limits = []apiclient.LimitState{{Kind: LimitKindCallValue, Target: tokenAddr, Selector: "0xdeadbeef", Remaining: "50000000000000000"}}
	got = DescribeCallPolicy(raw, limits)
	want = "0xdeadbeef on 0x3333333333333333333333333333333333333333 · max 0.01 ETH per use · 0.1 ETH per 1d, 0.05 ETH left this period · args: arg 2 > 1000, arg 0 any (lifetime 5)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	sel, _ := ParseSelector("function pay(address payee, uint8 level)")
	p := apiclient.CallPolicy{Target: tokenAddr, Selector: sel.Hex, Constraints: []apiclient.Constraint{{Condition: apiclient.CondNotEqual, Index: 1, RefValue: "0x0000000000000000000000000000000000000000000000000000000000000003"}}}
	got = DescribeCallPolicyAs(p, sel, nil)
	want = "pay(address,uint8) (" + sel.Hex + ") on 0x3333333333333333333333333333333333333333 · max 0 ETH per use · args: level != 3"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDescribeTransferPolicy(t *testing.T) {
	p := apiclient.TransferPolicy{Target: recipient, MaxValuePerUse: "10000000000000000",
		ValueLimit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "100000000000000000", Period: "0"}}
	limits := []apiclient.LimitState{{Kind: LimitKindTransferValue, Target: recipient, Remaining: "50000000000000000"}}
	want := "send ETH to 0x4444444444444444444444444444444444444444 · max 0.01 ETH per use · lifetime 0.1 ETH, 0.05 ETH left"
	if got := DescribeTransferPolicy(p, limits); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := DescribeTransferPolicy(apiclient.TransferPolicy{Target: recipient}, nil); got != "send ETH to 0x4444444444444444444444444444444444444444 · max 0 ETH per use" {
		t.Errorf("got %s", got)
	}
}

// After a scoped grant the Send form is pre-filled with what the policy
// allows: the capped token transfer to the allowed recipient, and a
// transfer to the allowed recipient.
func TestSuggestStaysInsideThePolicy(t *testing.T) {
	set, err := LoadPolicyFile("../examples/policies/erc20-capped-transfer.json")
	if err != nil {
		t.Fatal(err)
	}
	f := false
	req := apiclient.CreateSessionKeyRequest{GrantFullPermissions: &f, CallPolicies: set.CallPolicies,
		TransferPolicies: []apiclient.TransferPolicy{{Target: "0x4444444444444444444444444444444444444444"}}}
	self := "0x8ba1f109551bD432803012645Ac136ddd64DBA72"
	call, tr := Suggest(req, self)
	if call == nil || tr == nil {
		t.Fatalf("no suggestion: %+v %+v", call, tr)
	}
	// The suggestion must satisfy every constraint of the policy.
	p := set.CallPolicies[0]
	sel, _ := ParseSelector(call.Signature)
	if !strings.EqualFold(sel.Hex, p.Selector) || !strings.EqualFold(call.Target, p.Target) {
		t.Fatalf("suggested %s on %s, policy %s on %s", sel.Hex, call.Target, p.Selector, p.Target)
	}
	for _, c := range p.Constraints {
		word, err := EncodeRefValue(sel.Args[c.Index].Type, call.Args[c.Index])
		if err != nil {
			t.Fatalf("arg %d %q: %v", c.Index, call.Args[c.Index], err)
		}
		v, _ := new(big.Int).SetString(word[2:], 16)
		ref, _ := new(big.Int).SetString(c.RefValue[2:], 16)
		cmp := v.Cmp(ref)
		ok := map[apiclient.Condition]bool{apiclient.CondEqual: cmp == 0, apiclient.CondLess: cmp < 0, apiclient.CondLessOrEqual: cmp <= 0,
			apiclient.CondGreater: cmp > 0, apiclient.CondGreaterOrEqual: cmp >= 0, apiclient.CondNotEqual: cmp != 0, apiclient.CondUnconstrained: true}[c.Condition]
		if !ok {
			t.Errorf("arg %d = %s breaks constraint %v %s", c.Index, call.Args[c.Index], c.Condition, c.RefValue)
		}
		if c.Limit != nil {
			if l, _ := c.Limit.Limit.Big(); v.Cmp(l) > 0 {
				t.Errorf("arg %d = %s above the limit %s", c.Index, v, l)
			}
		}
	}
	if tr.Recipient != "0x4444444444444444444444444444444444444444" || tr.Value.Sign() != 0 {
		t.Errorf("transfer suggestion %+v", tr)
	}
	if c, t2 := Suggest(apiclient.CreateSessionKeyRequest{}, self); c != nil || t2 != nil {
		t.Error("a full grant needs no suggestion")
	}
}
