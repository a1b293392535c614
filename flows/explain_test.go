package flows

import (
	"strings"
	"testing"
)

func TestExplainPolicySet(t *testing.T) {
	tok := []Token{{Address: "0x7e57700000000000000000000000000000000001", Symbol: "TST", Decimals: 18}}
	erc20, err := LoadPolicyFile("../examples/policies/erc20-capped-transfer.json")
	if err != nil {
		t.Fatal(err)
	}
	native, err := LoadPolicyFile("../examples/policies/native-allowance.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		set  PolicySet
		want []string
	}{
		{"erc20", erc20, []string{
			"The session key, for 1 hour, may only:",
			"• call transfer(address,uint256) on 0x7e57…0001 (TST) only with to = 0x4444…4444, amount at most 100 TST per call and 150 TST in total, sending no ETH.",
			"Anything else is refused by the account contract.",
		}},
		{"native", native, []string{
			"The session key, for 1 day, may only:",
			"• send ETH to 0x4444…4444, at most 0.01 ETH per transfer and 0.05 ETH per 1h window.",
			"Anything else is refused by the account contract.",
		}},
		{"full", PolicySet{GrantFullPermissions: true, DurationInSeconds: 7200}, []string{
			"The session key may do anything the account can, for 2 hours: call any contract with any arguments and send any amount of ETH or tokens, with no limits.",
		}},
		{"nothing", PolicySet{DurationInSeconds: 60}, []string{
			"The session key may do nothing: every call and transfer is refused (a grant like this replaces, and so revokes, the key's earlier session), for 1 minute.",
		}},
	} {
		got := ExplainPolicySet(tc.set, ExplainOptions{Tokens: tok})
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// Without the token's name, amounts stay in base units.
	got := ExplainPolicySet(erc20, ExplainOptions{})
	if !strings.Contains(got[1], "amount at most 100e18 per call and 150e18 in total") || strings.Contains(got[1], "TST") {
		t.Errorf("no token: %q", got[1])
	}
}
