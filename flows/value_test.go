package flows

import (
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestParseValue(t *testing.T) {
	ok := []struct{ in, wei string }{
		{"0.01", "10000000000000000"},
		{"0.01 ETH", "10000000000000000"},
		{"0.01eth", "10000000000000000"},
		{" 1.5 Ether ", "1500000000000000000"},
		{"0", "0"},
		{"0 ETH", "0"},
		{".5", "500000000000000000"},
		{"2.", "2000000000000000000"},
		{"1.000000000000000000000", "1000000000000000000"}, // trailing zeros beyond 18 places are exact
		{"1000 wei", "1000"},
		{"1000wei", "1000"},
		{"5 gwei", "5000000000"},
		{"0.5 gwei", "500000000"},
		{"1.5 GWEI", "1500000000"},
		{"0.000000000000000001", "1"},
		// one grammar with the argument amounts: exponents, in any unit
		{"1e18 wei", "1000000000000000000"},
		{"1e18wei", "1000000000000000000"},
		{"1.5e9 gwei", "1500000000000000000"},
	}
	for _, c := range ok {
		v, err := ParseValue(c.in)
		if err != nil {
			t.Errorf("ParseValue(%q): %v", c.in, err)
			continue
		}
		if v.String() != c.wei {
			t.Errorf("ParseValue(%q) = %s, want %s", c.in, v, c.wei)
		}
	}
	bad := []struct{ in, want string }{
		{"", "empty"},
		{"-1", "negative"},
		{"-0.01 ETH", "negative"},
		{"abc", "unknown unit"},
		{"1e-3", "bad exponent"},
		{"1e", "unknown unit"},
		{"1.5 wei", "whole numbers"},
		{"0.0000000001 gwei", "more than 9 decimal places"},
		{"0.0000000000000000001", "more than 18 decimal places"},
		{"1,000", "not a decimal number"},
		{"1.2.3", "not a decimal number"},
		{"0x10", "unknown unit"},
		{"1 btc", "unknown unit"},
		{"ETH", "no number"},
		{".", "not a decimal number"},
		{"١٢", "not a decimal number"},
		{strings.Repeat("9", 90), "too"},
		{"1 1", "not a decimal number"},
	}
	for _, c := range bad {
		_, err := ParseValue(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseValue(%q) error = %v, want it to mention %q", c.in, err, c.want)
		}
	}
}

func TestFormatValueRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "0.01 ETH", "1 wei", "5 gwei", "123456789 wei", "1.123456789 ETH", "1000000 ETH"} {
		v, err := ParseValue(s)
		if err != nil {
			t.Fatal(err)
		}
		f := FormatValue(v)
		w, err := ParseValue(f)
		if err != nil || w.Cmp(v) != 0 {
			t.Errorf("FormatValue(%s) = %q, reads back %v, %v", v, f, w, err)
		}
	}
	if got := FormatValue(mustValue(t, "0.01")); got != "0.01 ETH" {
		t.Errorf("FormatValue(0.01 ETH) = %q", got)
	}
	if got := FormatValue(mustValue(t, "1 wei")); got != "1 wei" {
		t.Errorf("FormatValue(1 wei) = %q", got)
	}
}

func mustValue(t *testing.T, s string) *big.Int {
	t.Helper()
	v, err := ParseValue(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParsePeriod(t *testing.T) {
	ok := map[string]time.Duration{
		"90s": 90 * time.Second, "90m": 90 * time.Minute, "1h": time.Hour, "1d": 24 * time.Hour,
		"7d": 7 * 24 * time.Hour, "1w": 7 * 24 * time.Hour, "3600": time.Hour, "1h30m": 90 * time.Minute,
		"1d 12h": 36 * time.Hour, "2 days": 48 * time.Hour, "1H": time.Hour, "365d": 365 * 24 * time.Hour,
	}
	for in, want := range ok {
		got, err := ParsePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"": "empty", "0": "zero", "0s": "zero", "-1h": "negative", "1.5h": "whole numbers", "1y": "unknown unit",
		"h": "not a length", "10": "", "366d": "longer than 365 days", "99999999999999999999": "too large",
		"9223372036854775807s": "too large", "1h 5": "no unit",
	}
	delete(bad, "10")
	for in, want := range bad {
		_, err := ParsePeriod(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePeriod(%q) error = %v, want %q", in, err, want)
		}
	}
	for _, d := range []time.Duration{time.Second, 90 * time.Second, time.Hour, 36 * time.Hour, 7 * 24 * time.Hour, 90061 * time.Second} {
		if got, err := ParsePeriod(FormatPeriod(d)); err != nil || got != d {
			t.Errorf("ParsePeriod(FormatPeriod(%v)=%q) = %v, %v", d, FormatPeriod(d), got, err)
		}
	}
}

// Send, Permissions and the argument fields read amounts alike: what one
// accepts the others accept (issue: Send refused "1e18 wei").
func TestOneAmountGrammar(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"100 TST", "100000000000000000000"},
		{"0.5 tst", "500000000000000000"},
		{"100e18", "100000000000000000000"},
		{"1000", "1000"},
		{"0x3e8", "1000"},
	} {
		v, err := ParseTokenAmount(c.in, "TST", 18)
		if err != nil || v.String() != c.want {
			t.Errorf("ParseTokenAmount(%q) = %v, %v; want %s", c.in, v, err, c.want)
		}
	}
	if _, err := ParseTokenAmount("1 ETH", "TST", 18); err == nil || !strings.Contains(err.Error(), "expected TST") {
		t.Errorf("a token amount in ETH: %v", err)
	}
	a, errA := ParseValue("1e18 wei")
	b, errB := ParseValue("1 ETH")
	if errA != nil || errB != nil || a.Cmp(b) != 0 {
		t.Errorf("1e18 wei = %v (%v), 1 ETH = %v (%v)", a, errA, b, errB)
	}
}
