package apiclient

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"
)

func TestParseEther(t *testing.T) {
	ok := map[string]string{
		"0":                    "0",
		"0.01":                 "10000000000000000",
		"1":                    "1000000000000000000",
		"1.5":                  "1500000000000000000",
		".5":                   "500000000000000000",
		"5.":                   "5000000000000000000",
		"0.000000000000000001": "1",
		"007":                  "7000000000000000000",
		" 2 ":                  "2000000000000000000",
	}
	for in, want := range ok {
		got, err := ParseEther(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseEther(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                      "empty",
		"-1":                    "negative",
		"1e18":                  "not a decimal",
		"0.0000000000000000001": "more than 18",
		"1.2.3":                 "not a decimal",
		".":                     "no digits",
		"abc":                   "not a decimal",
		"1,5":                   "not a decimal",
		strings.Repeat("9", 90): "too large",
	}
	for in, want := range bad {
		_, err := ParseEther(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseEther(%q) err = %v; want it to mention %q", in, err, want)
		}
	}
}

func TestFormatEtherRoundTrip(t *testing.T) {
	for _, s := range []string{"0", "1", "0.01", "123.456", "0.000000000000000001"} {
		v, err := ParseEther(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatEther(v); got != s {
			t.Errorf("FormatEther(ParseEther(%q)) = %q", s, got)
		}
	}
	if got := FormatEther(big.NewInt(-1500000000000000000)); got != "-1.5" {
		t.Errorf("negative: %q", got)
	}
}

func TestParseAddress(t *testing.T) {
	const good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	for _, s := range []string{good, strings.ToLower(good), "0x" + strings.ToUpper(good[2:])} {
		a, err := ParseAddress(s)
		if err != nil || a.Hex() != good {
			t.Errorf("ParseAddress(%q) = %v, %v", s, a.Hex(), err)
		}
	}
	bad := map[string]string{
		"":               "empty",
		"5aAeb6053F3E94": "start with 0x",
		"0x1234":         "40",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD": "checksum",
		"0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed": "hexadecimal",
	}
	for in, want := range bad {
		_, err := ParseAddress(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAddress(%q) err = %v; want %q", in, err, want)
		}
	}
}

func TestShortHex(t *testing.T) {
	if got := ShortHex("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"); got != "0x5aAe…eAed" {
		t.Errorf("ShortHex = %q", got)
	}
	if got := ShortHex("0x1234"); got != "0x1234" {
		t.Errorf("short = %q", got)
	}
}

func TestDecimalJSON(t *testing.T) {
	var v struct{ A, B, C, D Decimal }
	if err := json.Unmarshal([]byte(`{"A":"150000000000000000000","B":42,"C":1e+21,"D":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "150000000000000000000" || v.B != "42" || v.C != "1000000000000000000000" || v.D != "" {
		t.Errorf("got %+v", v)
	}
	for _, in := range []string{`{"A":-1}`, `{"A":"1.5"}`, `{"A":1.5}`, `{"A":"0x10"}`, `{"A":true}`, `{"A":"1/2"}`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s: want error", in)
		}
	}
	out, _ := json.Marshal(struct{ A Decimal }{"5"})
	if string(out) != `{"A":"5"}` {
		t.Errorf("marshal = %s", out)
	}
}

func TestGrantIDShapes(t *testing.T) {
	for body, want := range map[string]string{
		`{"transactionId":"a","result":{"transactionIds":["b"]}}`: "a",
		`{"result":{"transactionId":"c"}}`:                        "c",
		`{"result":{"transactionIds":["d","e"]}}`:                 "d",
	} {
		var r CreateSessionKeyResponse
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		if id, ok := r.ID(); !ok || id != want {
			t.Errorf("%s: ID = %q, %v", body, id, ok)
		}
	}
	var r CreateSessionKeyResponse
	_ = json.Unmarshal([]byte(`{"result":{}}`), &r)
	if _, ok := r.ID(); ok {
		t.Error("empty result: want no ID")
	}
}

func TestTransactionLenientFields(t *testing.T) {
	var tx Transaction
	body := `{"id":"x","chainId":84532,"status":"CONFIRMED","transactionHash":"0xab","confirmedAtBlockNumber":1042,"errorMessage":null}`
	if err := json.Unmarshal([]byte(body), &tx); err != nil {
		t.Fatal(err)
	}
	if tx.ChainID != "84532" || tx.Block() != "1042" || tx.Hash() != "0xab" || tx.Error() != "" || !tx.Final() {
		t.Errorf("got %+v", tx)
	}
}
