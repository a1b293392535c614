package flows

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"walletconsole/apiclient"
)

// The example of docs/api.md §4, verbatim.
const apiExample = `{"grantFullPermissions": false,
 "callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "constraints": [
  {"condition": 1, "index": 0, "refValue": "0x0000000000000000000000004444444444444444444444444444444444444444"},
  {"condition": 5, "index": 1, "refValue": "0x0000000000000000000000000000000000000000000000056bc75e2d63100000",
   "limit": {"limitType": 1, "limit": "150000000000000000000", "period": "0"}}]}]}`

func TestParsePolicySetAPIExample(t *testing.T) {
	s, err := ParsePolicySet([]byte(apiExample))
	if err != nil {
		t.Fatal(err)
	}
	want := exampleCall
	want.MaxValuePerUse = "" // absent in the file (= 0)
	if s.GrantFullPermissions || s.DurationInSeconds != 0 || len(s.CallPolicies) != 1 || !reflect.DeepEqual(s.CallPolicies[0], want) {
		t.Fatalf("got %+v", s)
	}
}

func TestPolicySetRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"api-example", "erc20-capped-transfer", "native-allowance"} {
		var b []byte
		if name == "api-example" {
			b = []byte(apiExample)
		} else {
			var err error
			if b, err = os.ReadFile(filepath.Join("..", "examples", "policies", name+".json")); err != nil {
				t.Fatal(err)
			}
		}
		s1, err := ParsePolicySet(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join(dir, name+".json")
		if err := SavePolicyFile(path, s1); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o644 {
			t.Fatalf("%s: mode %v, %v", name, st.Mode(), err)
		}
		s2, err := LoadPolicyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(s1, s2) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", name, s1, s2)
		}
		// Each policy also round-trips through the editor.
		for i, p := range s1.CallPolicies {
			p.MaxValuePerUse = orZero(p.MaxValuePerUse)
			if got, fe := CallPolicyInputFrom(p).Build(); fe != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("%s callPolicies[%d] via editor: %+v, %v", name, i, got, fe)
			}
		}
		for i, p := range s1.TransferPolicies {
			p.MaxValuePerUse = orZero(p.MaxValuePerUse)
			if got, fe := TransferPolicyInputFrom(p).Build(); fe != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("%s transferPolicies[%d] via editor: %+v, %v", name, i, got, fe)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func TestParsePolicySetErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, "empty"},
		{`[]`, "expected a policy set"},
		{`{"grantFullPermissions": false,}`, "line 1, column 32"},
		{`{"grantFullPermissions": false} {}`, "more after the JSON object"},
		{`{"grantFullPermissions": false`, "cut off"},
		{`{"grantFullPermisions": false}`, `grantFullPermisions: unknown field "grantFullPermisions"`},
		{`{"chainId": 84532}`, `unknown field "chainId"`},
		{`{"grantFullPermissions": "no"}`, "grantFullPermissions: expected true or false, got a string"},
		{`{"durationInSeconds": -5}`, "durationInSeconds: \"-5\" is negative"},
		{`{"durationInSeconds": 1.5}`, "durationInSeconds: "},
		{`{"durationInSeconds": 31536001}`, "durationInSeconds: 31536001 is beyond"},
		{`{"callPolicies": {}}`, "callPolicies: expected an array, got an object"},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "constraints": [{}, {"refValue": "0x12"}]}]}`, "callPolicies[0].constraints[1].refValue: \"0x12\" is not a 32-byte word"},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "constraints": [{"condition": 1, "refvalue": "0x"}]}]}`, `callPolicies[0].constraints[0].refvalue: unknown field "refvalue"`},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "maxValuePerUse": "0.1"}]}`, "callPolicies[0].maxValuePerUse: "},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "valueLimit": {"limitType": 7}}]}`, "callPolicies[0].valueLimit.limitType: 7 is not a limit type"},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "valueLimit": {"limitType": 256}}]}`, "callPolicies[0].valueLimit.limitType: 256 is out of range"},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "valueLimit": {"limitType": 2, "limit": "5"}}]}`, "callPolicies[0].valueLimit.period: an allowance"},
		{`{"callPolicies": [{"target": 5, "selector": "0xa9059cbb"}]}`, "callPolicies[0].target: expected a string, got the number"},
		{`{"callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb"}, {"target": "0x3333333333333333333333333333333333333333", "selector": "0xA9059CBB"}]}`, "callPolicies[1]: same target and selector as callPolicies[0]"},
		{`{"transferPolicies": [{"target": "0x4444444444444444444444444444444444444444"}, {"target": "0x4444444444444444444444444444444444444444", "value": 1}]}`, `transferPolicies[1].value: unknown field`},
		{`{"transferPolicies": [{"target": "0x4444444444444444444444444444444444444444"}, {"target": "0x4444444444444444444444444444444444444444"}]}`, "transferPolicies[1]: same target"},
		{`{"transferPolicies": [{"target": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}]}`, "transferPolicies[0].target: address 0x5aAe…eAeD has a bad EIP-55 checksum"},
	}
	for _, c := range cases {
		_, err := ParsePolicySet([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParsePolicySet(%s)\n error = %v\n want %q", c.in, err, c.want)
		}
	}
}

func TestParsePolicySetAllErrors(t *testing.T) {
	_, err := ParsePolicySet([]byte(`{"callPolicies": [{"target": "x", "selector": "y", "bogus": 1}], "transferPolicies": [{"target": "z"}]}`))
	if err == nil {
		t.Fatal("accepted")
	}
	// Decoding errors come first (unknown field); fix them and validation lists all the rest.
	_, err = ParsePolicySet([]byte(`{"callPolicies": [{"target": "x", "selector": "y"}], "transferPolicies": [{"target": "z"}]}`))
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("want 3 errors, got %v", err)
	}
}

func TestSavePolicyFileRefusesInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	err := SavePolicyFile(path, PolicySet{TransferPolicies: []apiclient.TransferPolicy{{Target: "nope"}}})
	if err == nil || !strings.Contains(err.Error(), "transferPolicies[0].target") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("file written")
	}
}

// File errors say the path once, name the directory that is really
// missing, and never the temporary file's name.
func TestPolicyFileErrorsSayItOnce(t *testing.T) {
	dir := t.TempDir()
	set := PolicySet{GrantFullPermissions: true}
	missing := filepath.Join(dir, "no", "such")
	path := filepath.Join(missing, "p.json")
	err := SavePolicyFile(path, set)
	want := "save " + path + ": directory " + filepath.Join(dir, "no") + " does not exist"
	if err == nil || err.Error() != want {
		t.Errorf("save into a missing directory:\n got %v\nwant %s", err, want)
	}
	if err != nil && (strings.Contains(err.Error(), ".tmp-") || strings.Count(err.Error(), path) != 1) {
		t.Errorf("save error names a temporary file or the path twice: %v", err)
	}
	_, err = LoadPolicyFile(path)
	if err == nil || strings.Count(err.Error(), path) != 1 || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("load from a missing directory: %v", err)
	}
	_, err = LoadPolicyFile(filepath.Join(dir, "absent.json"))
	if err == nil || err.Error() != "load "+filepath.Join(dir, "absent.json")+": no such file" {
		t.Errorf("load of a missing file: %v", err)
	}
	// CreatePolicyFile refuses to overwrite; SavePolicyFile overwrites.
	p := filepath.Join(dir, "p.json")
	if err := CreatePolicyFile(p, set); err != nil {
		t.Fatal(err)
	}
	if err := CreatePolicyFile(p, set); !errors.Is(err, ErrFileExists) {
		t.Errorf("second create: %v, want ErrFileExists", err)
	}
	if err := SavePolicyFile(p, set); err != nil {
		t.Errorf("overwrite: %v", err)
	}
}
