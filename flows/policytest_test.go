package flows

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestParsePolicyTestsErrors(t *testing.T) {
	for _, tc := range []struct{ tests, want string }{
		{`{}`, "expected an array"},
		{`[{"name":"x","expect":"pass"}]`, "exactly one of call or transfer"},
		{`[{"name":"x","transfer":{"to":"0x4444444444444444444444444444444444444444","value":"1 ETH"},"expect":"Nope"}]`, `"Nope" is not one of the account's errors`},
		{`[{"name":"x","transfer":{"to":"0x44","value":"1 ETH"},"expect":"pass"}]`, "tests[0].transfer.to"},
		{`[{"name":"x","call":{"to":"0x4444444444444444444444444444444444444444","signature":"transfer(address,uint256)","args":["0x4444444444444444444444444444444444444444"]},"expect":"pass"}]`, "takes 2 arguments, args has 1"},
		{`[{"name":"x","transfer":{"to":"0x4444444444444444444444444444444444444444","value":"1 ETH"},"after":"soon","expect":"pass"}]`, "tests[0].after"},
		{`[{"name":"x","transfer":{"to":"0x4444444444444444444444444444444444444444","value":"1 ETH"},"expect":"pass","extra":1}]`, "unknown field"},
	} {
		_, err := ParsePolicySet([]byte(`{"grantFullPermissions":false,"tests":` + tc.tests + `}`))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("tests %s: error %v, want %q", tc.tests, err, tc.want)
		}
	}
}

func TestPolicyTestCalldata(t *testing.T) {
	c := TestCall{To: "0x7e57700000000000000000000000000000000001", Signature: "transfer(address,uint256)", Args: []any{"0x4444444444444444444444444444444444444444", "100e18"}}
	b, err := c.Calldata()
	if err != nil {
		t.Fatal(err)
	}
	want := "a9059cbb" + "0000000000000000000000004444444444444444444444444444444444444444" + "0000000000000000000000000000000000000000000000056bc75e2d63100000"
	if hex.EncodeToString(b) != want {
		t.Errorf("calldata %x", b)
	}
	// Tests survive a load and save (the editor keeps them).
	s, err := LoadPolicyFile("../examples/policies/native-allowance.json")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := MarshalPolicySet(s)
	s2, err := ParsePolicySet(out)
	if err != nil || len(s2.Tests) == 0 {
		t.Errorf("tests lost in a round trip: %v", err)
	}
}
