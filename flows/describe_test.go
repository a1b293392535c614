package flows

import (
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
