package sandbox

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseMethod(t *testing.T) {
	cases := []struct{ in, sig, id string }{
		{"function transfer(address to, uint256 amount)", "transfer(address,uint256)", "a9059cbb"},
		{"transfer(address,uint256)", "transfer(address,uint256)", "a9059cbb"},
		{"  function approve(address spender, uint value) external returns (bool)", "approve(address,uint256)", "095ea7b3"},
		{"function mint(address to, uint256 amount) public", "mint(address,uint256)", "40c10f19"},
		{"function setData(bytes32 key, bytes calldata value, bool flag, string memory note, uint8 small, int[] nums)", "setData(bytes32,bytes,bool,string,uint8,int256[])", ""},
		{"function pause()", "pause()", "8456cb59"},
		{"execute((address target, uint256 value, bytes data)[] calls)", "execute((address,uint256,bytes)[])", ""},
	}
	for _, c := range cases {
		m, err := parseMethod(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if m.signature != c.sig {
			t.Errorf("%q: signature %q, want %q", c.in, m.signature, c.sig)
		}
		if c.id != "" && hex.EncodeToString(m.id) != c.id {
			t.Errorf("%q: id %x, want %s", c.in, m.id, c.id)
		}
	}
	for _, bad := range []string{"", "transfer", "function (address)", "transfer(address", "transfer(adress,uint256)", "transfer(address,,uint256)"} {
		if _, err := parseMethod(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPackParams(t *testing.T) {
	m, err := parseMethod("function setData(bytes32 key, bytes value, bool flag, string note, uint8 small, int256[] nums, address who)")
	if err != nil {
		t.Fatal(err)
	}
	var params []any
	dec := json.NewDecoder(strings.NewReader(`["0x` + strings.Repeat("ab", 32) + `", "0x1234", true, "hi", 255, ["-1", 2, "0x10"], "0x000000000000000000000000000000000000dEaD"]`))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		t.Fatal(err)
	}
	if _, err := m.pack(params); err != nil {
		t.Fatalf("pack: %v", err)
	}
	bad := []struct {
		i    int
		v    any
		want string
	}{
		{4, json.Number("256"), "out of range for uint8"},
		{0, "0x12", "want 32 bytes"},
		{2, "maybe", "true or false"},
		{6, "0xdead", "hex digits"},
		{5, "x", "JSON array"},
		{4, json.Number("1e999"), "not a usable integer"},
	}
	for _, b := range bad {
		p := append([]any(nil), params...)
		p[b.i] = b.v
		if _, err := m.pack(p); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("params[%d]=%v: %v, want %q", b.i, b.v, err, b.want)
		}
	}
}
