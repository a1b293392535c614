package flows

import (
	"testing"
	"time"

	"walletconsole/apiclient"
)

func TestMeters(t *testing.T) {
	const tok, to = "0x7e57700000000000000000000000000000000001", "0x4444444444444444444444444444444444444444"
	calls := []apiclient.CallPolicy{{Target: tok, Selector: "0xa9059cbb", Constraints: []apiclient.Constraint{
		{Condition: apiclient.CondLessOrEqual, Index: 1, RefValue: "0x0000000000000000000000000000000000000000000000056bc75e2d63100000",
			Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000", Period: "0"}},
	}}}
	transfers := []apiclient.TransferPolicy{{Target: to, MaxValuePerUse: "10000000000000000",
		ValueLimit: &apiclient.UsageLimit{LimitType: apiclient.LimitAllowance, Limit: "50000000000000000", Period: "3600"}}}
	limits := []apiclient.LimitState{
		{Kind: LimitKindCallParam, Target: tok, Selector: "0xa9059cbb", Index: 1, Remaining: "50000000000000000000"},
		{Kind: LimitKindTransferValue, Target: to, Remaining: "30000000000000000"},
	}
	// 10:15 into a window: the allowance refills at the next multiple of 3600 s.
	now := time.Unix(3600*480000+15*60, 0)
	ms := Meters(calls, transfers, limits, now)
	if len(ms) != 2 {
		t.Fatalf("meters %+v", ms)
	}
	if m := ms[0]; m.Clause != "callPolicies[0].constraints[0].limit" || m.Used != "100000000000000000000" || m.Type != "lifetime" ||
		m.Text != "amount of transfer(address,uint256) on 0x7e57…0001: used 100e18 of 150e18 in total, 50e18 left" {
		t.Errorf("lifetime meter %+v", m)
	}
	if m := ms[1]; m.RefillsAt != 3600*480001 || m.Used != "20000000000000000" ||
		m.Text != "send ETH to 0x4444…4444: used 0.02 ETH of 0.05 ETH per 1h, 0.03 ETH left, refills in 45m" {
		t.Errorf("allowance meter %+v", m)
	}
	// In a named token's units, as the console shows them; ETH stays ETH.
	in := MeterAmountIn([]Token{{Address: tok, Symbol: "TST", Decimals: 18}})
	if got, want := ms[0].Words(in), "amount of transfer(address,uint256) on 0x7e57…0001: used 100 TST of 150 TST in total, 50 TST left"; got != want {
		t.Errorf("token meter\n got %q\nwant %q", got, want)
	}
	if got := ms[1].Words(in); got != ms[1].Text {
		t.Errorf("ETH meter in token units %q, want %q", got, ms[1].Text)
	}
	// The Try panel names a meter the same way.
	if got, want := RemainingLine(ms[1].State, "0.03 ETH"), "send ETH to 0x4444…4444: 0.03 ETH left"; got != want {
		t.Errorf("RemainingLine %q, want %q", got, want)
	}
	// An untouched allowance has nothing to refill.
	limits[1].Remaining = "50000000000000000"
	if m := Meters(calls, transfers, limits, now)[1]; m.RefillsAt != 0 || m.Used != "0" {
		t.Errorf("untouched allowance %+v", m)
	}
}
