package flows

import (
	"strings"
	"testing"
)

func TestEncodeRefValue(t *testing.T) {
	const (
		z   = "0x"
		pad = "000000000000000000000000"
	)
	ok := []struct{ typ, in, want string }{
		{"address", "0x4444444444444444444444444444444444444444", z + pad + "4444444444444444444444444444444444444444"},
		{"address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", z + pad + "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
		{"uint256", "100000000000000000000", "0x0000000000000000000000000000000000000000000000056bc75e2d63100000"},
		{"uint256", "100e18", "0x0000000000000000000000000000000000000000000000056bc75e2d63100000"},
		{"uint256", "0.1e21", "0x0000000000000000000000000000000000000000000000056bc75e2d63100000"},
		{"uint256", "0x56bc75e2d63100000", "0x0000000000000000000000000000000000000000000000056bc75e2d63100000"},
		{"uint8", "255", "0x00000000000000000000000000000000000000000000000000000000000000ff"},
		{"uint256", "115792089237316195423570985008687907853269984665640564039457584007913129639935", "0x" + strings.Repeat("f", 64)},
		{"int256", "-1", "0x" + strings.Repeat("f", 64)},
		{"int8", "-128", "0x" + strings.Repeat("f", 62) + "80"},
		{"int8", "127", "0x" + strings.Repeat("0", 62) + "7f"},
		{"bool", "true", "0x" + strings.Repeat("0", 63) + "1"},
		{"bool", "False", "0x" + strings.Repeat("0", 64)},
		{"bytes32", "0x" + strings.Repeat("ab", 32), "0x" + strings.Repeat("ab", 32)},
		{"bytes4", "0xa9059cbb", "0xa9059cbb" + strings.Repeat("0", 56)},
		{"word", "0x" + strings.Repeat("1", 64), "0x" + strings.Repeat("1", 64)},
		{"word", "5", "0x" + strings.Repeat("0", 63) + "5"},
	}
	for _, c := range ok {
		got, err := EncodeRefValue(c.typ, c.in)
		if err != nil || got != c.want {
			t.Errorf("EncodeRefValue(%s, %q) = %s, %v; want %s", c.typ, c.in, got, err, c.want)
			continue
		}
		back, okDec := DecodeRefValue(c.typ, got)
		if !okDec {
			t.Errorf("DecodeRefValue(%s, %s) not ok", c.typ, got)
		}
		if again, err := EncodeRefValue(c.typ, back); err != nil || again != got {
			t.Errorf("decode/encode %s %q → %q → %s, %v", c.typ, c.in, back, again, err)
		}
	}
	bad := []struct{ typ, in, want string }{
		{"address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "checksum"},
		{"address", "0x1234", "40"},
		{"uint8", "256", "does not fit in uint8"},
		{"uint256", "-1", "negative"},
		{"uint256", "1.5", "not a whole number"},
		{"uint256", "1.55e1", "more decimal places"},
		{"uint256", "1e78", "256 bits"},
		{"uint256", "abc", "not a whole number"},
		{"int8", "128", "out of range"},
		{"int8", "-129", "out of range"},
		{"bool", "yes", "true or false"},
		{"bytes4", "0xa9059c", "exactly 8"},
		{"bytes4", "a9059cbb", "must start with 0x"},
		{"string", "hi", "dynamic"},
		{"bytes", "0x00", "dynamic"},
		{"uint256[]", "1", "dynamic"},
		{"uint256[2]", "1", "several words"},
		{"(address,uint256)", "1", "tuple"},
		{"function", "1", "function-type"},
		{"fixed", "1", "cannot be constrained"},
		{"uint256", "", "empty"},
		{"word", "0xzz", "0x + 64 hex"},
	}
	for _, c := range bad {
		_, err := EncodeRefValue(c.typ, c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("EncodeRefValue(%s, %q) error = %v, want %q", c.typ, c.in, err, c.want)
		}
	}
}

func TestDecodeRefValueDirty(t *testing.T) {
	dirty := "0x" + strings.Repeat("f", 64)
	for _, typ := range []string{"address", "bool", "uint8", "int8", "bytes4"} {
		if _, ok := DecodeRefValue(typ, dirty); ok && typ != "int8" {
			t.Errorf("DecodeRefValue(%s, all ones) ok", typ)
		}
	}
	if v, ok := DecodeRefValue("int8", dirty); !ok || v != "-1" {
		t.Errorf("int8 -1 = %q %v", v, ok)
	}
	if _, ok := DecodeRefValue("uint256", "0x12"); ok {
		t.Error("short word decoded")
	}
}

func TestArgAmount(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "1000": "1000", "100e18": "100000000000000000000", "1.5e18": "1500000000000000000", "1E3": "1000", "1e+3": "1000", "0x10": "16", "007": "7"} {
		v, err := ParseArgAmount(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseArgAmount(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1e", "1e-3", "1e100", "0x", "0x-1", "1 tokens", "1_000", "1.5"} {
		if _, err := ParseArgAmount(in); err == nil {
			t.Errorf("ParseArgAmount(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{"150000000000000000000": "150e18", "42000000000000000000": "42e18", "1500000000000000000": "1.5e18", "100": "100", "123456789012345678901": "123456789012345678901", "100000000000000000": "0.1e18"} {
		v, _ := ParseArgAmount(in)
		if got := FormatArgAmount(v); got != want {
			t.Errorf("FormatArgAmount(%s) = %q, want %q", in, got, want)
		}
	}
}
