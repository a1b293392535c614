package flows

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func selectorOf(sig string) string {
	return "0x" + hex.EncodeToString(crypto.Keccak256([]byte(sig))[:4])
}

func TestParseSelector(t *testing.T) {
	cases := []struct {
		in, sig string
		args    []Arg
	}{
		{"transfer(address,uint256)", "transfer(address,uint256)", []Arg{{"to", "address"}, {"amount", "uint256"}}}, // names from the table
		{"function transfer(address to, uint256 amount)", "transfer(address,uint256)", []Arg{{"to", "address"}, {"amount", "uint256"}}},
		{"function transfer(address dst, uint wad) external returns (bool)", "transfer(address,uint256)", []Arg{{"dst", "address"}, {"wad", "uint256"}}},
		{"  transfer ( address , uint )  ", "transfer(address,uint256)", []Arg{{"to", "address"}, {"amount", "uint256"}}},
		{"foo()", "foo()", nil},
		{"foo(int,byte,bytes32,bool)", "foo(int256,bytes1,bytes32,bool)", []Arg{{"", "int256"}, {"", "bytes1"}, {"", "bytes32"}, {"", "bool"}}},
		{"function setName(string memory name, bytes calldata data)", "setName(string,bytes)", []Arg{{"name", "string"}, {"data", "bytes"}}},
		{"execute((address,uint256,bytes)[] calls)", "execute((address,uint256,bytes)[])", []Arg{{"calls", "(address,uint256,bytes)[]"}}},
		{"f(tuple(address a, uint256 b)[2] xs, uint8[3][] m)", "f((address,uint256)[2],uint8[3][])", []Arg{{"xs", "(address,uint256)[2]"}, {"m", "uint8[3][]"}}},
		{"g(((uint256,bool),address))", "g(((uint256,bool),address))", []Arg{{"", "((uint256,bool),address)"}}},
	}
	for _, c := range cases {
		s, err := ParseSelector(c.in)
		if err != nil {
			t.Errorf("ParseSelector(%q): %v", c.in, err)
			continue
		}
		if s.Signature != c.sig || s.Hex != selectorOf(c.sig) {
			t.Errorf("ParseSelector(%q) = %s %s, want %s %s", c.in, s.Signature, s.Hex, c.sig, selectorOf(c.sig))
		}
		if len(s.Args) != len(c.args) {
			t.Errorf("ParseSelector(%q) args = %v, want %v", c.in, s.Args, c.args)
			continue
		}
		for i := range c.args {
			if s.Args[i] != c.args[i] {
				t.Errorf("ParseSelector(%q) arg %d = %v, want %v", c.in, i, s.Args[i], c.args[i])
			}
		}
	}
	if s, _ := ParseSelector("transfer(address,uint256)"); s.Hex != "0xa9059cbb" {
		t.Errorf("transfer selector = %s", s.Hex)
	}
}

func TestParseRawSelector(t *testing.T) {
	known := map[string]string{
		"0xa9059cbb": "transfer(address,uint256)",
		"0xA9059CBB": "transfer(address,uint256)",
		"0x095ea7b3": "approve(address,uint256)",
		"0x23b872dd": "transferFrom(address,address,uint256)",
		"0x40c10f19": "mint(address,uint256)",
	}
	for in, sig := range known {
		s, err := ParseSelector(in)
		if err != nil || s.Signature != sig || s.Hex != strings.ToLower(in) || len(s.Args) == 0 || s.Args[0].Name == "" {
			t.Errorf("ParseSelector(%q) = %+v, %v", in, s, err)
		}
	}
	s, err := ParseSelector("0xdeadbeef")
	if err != nil || s.Signature != "" || s.Hex != "0xdeadbeef" || s.Args != nil || s.Known() {
		t.Errorf("unknown raw selector = %+v, %v", s, err)
	}
	if s.Display() != "0xdeadbeef" {
		t.Errorf("Display = %q", s.Display())
	}
	if k, _ := ParseSelector("0xa9059cbb"); k.Full() != "function transfer(address to, uint256 amount)" {
		t.Errorf("Full = %q", k.Full())
	}
}

func TestParseSelectorErrors(t *testing.T) {
	bad := map[string]string{
		"":                         "empty",
		"0xa9059c":                 "6 hex digits",
		"0xzz059cbb":               "not hexadecimal",
		"transfer":                 "expected '('",
		"transfer(address":         "missing ')'",
		"transfer(adress,uint256)": "unknown type \"adress\"",
		"f(uint7)":                 "8 to 256",
		"f(uint264)":               "8 to 256",
		"f(bytes33)":               "1 to 32",
		"f(fixed128x18)":           "not supported",
		"f(uint256[0])":            "out of range",
		"f(uint256[99999999999])":  "out of range",
		"f(())":                    "empty tuple",
		"(address)":                "function name",
		"f(address a b)":           "unexpected",
		"f(address,)":              "expected a type",
		"f(uint256) x(":            "unbalanced",
		"f(uint256) #":             "unexpected",
		"1f(uint256)":              "function name",
		"f(uint256)[":              "",
		"f(address[)":              "expected ']'",
		"f(" + strings.Repeat("(", 20) + "uint256" + strings.Repeat(")", 21): "nested more than",
	}
	delete(bad, "f(uint256)[")
	for in, want := range bad {
		_, err := ParseSelector(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSelector(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestHeadWords(t *testing.T) {
	s, err := ParseSelector("f((uint256,uint256) p, address a, uint256[2] xs, bytes b, bool c)")
	if err != nil {
		t.Fatal(err)
	}
	start, span, err := headWords(s)
	if err != nil {
		t.Fatal(err)
	}
	wantStart, wantSpan := []int{0, 2, 3, 5, 6}, []int{2, 1, 2, 1, 1}
	for i := range wantStart {
		if start[i] != wantStart[i] || span[i] != wantSpan[i] {
			t.Errorf("arg %d: start %d span %d, want %d %d", i, start[i], span[i], wantStart[i], wantSpan[i])
		}
	}
}
