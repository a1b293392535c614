package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"walletconsole/flows"
)

func runPolicyT(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runPolicy(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPolicyLintExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"lint", "examples/policies/erc20-capped-transfer.json"}, 0, "no hazards found"},
		{[]string{"lint", "examples/policies/native-allowance.json"}, 0, "fixed-window"},
		{[]string{"lint", "examples/policies/native-allowance.json", "--strict"}, 1, "0.1 ETH in seconds"},
		{[]string{"lint", "--account", "0x1111111111111111111111111111111111111111", "flows/testdata/lint/hazards.json"}, 1, "account-target"},
	} {
		code, out, errOut := runPolicyT(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%v: exit %d, want %d; want %q in\n%s%s", tc.args, code, tc.code, tc.out, out, errOut)
		}
	}
	code, out, _ := runPolicyT(t, "lint", "--json", "flows/testdata/lint/hazards.json")
	var v struct {
		Errors   int                 `json:"errors"`
		Findings []flows.LintFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 1 || v.Errors != 1 || len(v.Findings) < 9 {
		t.Errorf("--json: exit %d, %+v (%v)", code, v, err)
	}
	if code, _, errOut := runPolicyT(t, "lint"); code != 2 || !strings.Contains(errOut, "expected one policy FILE") {
		t.Errorf("no file: exit %d %q", code, errOut)
	}
	if code, _, errOut := runPolicyT(t, "frob", "x"); code != 2 || !strings.Contains(errOut, "unknown subcommand") {
		t.Errorf("bad subcommand: exit %d %q", code, errOut)
	}
}

func TestPolicyExplainCommand(t *testing.T) {
	code, out, errOut := runPolicyT(t, "explain", "examples/policies/erc20-capped-transfer.json")
	if code != 0 || !strings.Contains(out, "on 0x7e57…0001 (TST) only with to = 0x4444…4444, amount at most 100 TST per call and 150 TST in total") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

// The examples' tests pass on the real contract, in scratch chains.
func TestPolicyTestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scratch chains")
	}
	files, _ := filepath.Glob("examples/policies/*.json")
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	for _, f := range files {
		code, out, errOut := runPolicyT(t, "test", f)
		if code != 0 || strings.Contains(out, "FAIL") || !strings.Contains(out, " 0 failed") {
			t.Errorf("%s: exit %d\n%s%s", f, code, out, errOut)
		}
	}
}

// A case expecting the wrong error fails with exit 1 and names the clause.
func TestPolicyTestMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs scratch chains")
	}
	set, err := flows.LoadPolicyFile("examples/policies/erc20-capped-transfer.json")
	if err != nil {
		t.Fatal(err)
	}
	set.Tests = json.RawMessage(`[
	  {"name": "wrong recipient", "call": {"to": "0x7e57700000000000000000000000000000000001", "signature": "transfer(address,uint256)",
	    "args": ["0x5555555555555555555555555555555555555555", "1e18"]}, "expect": "LifetimeUsageExceeded"}
	]`)
	b, _ := flows.MarshalPolicySet(set)
	path := filepath.Join(t.TempDir(), "wrong.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runPolicyT(t, "test", path)
	if code != 1 || !strings.Contains(out, "FAIL wrong recipient: expected LifetimeUsageExceeded, got ConditionFailed") ||
		!strings.Contains(out, "by callPolicies[0].constraints[0] (to == 0x4444…4444)") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runPolicyT(t, "test", path, "--json")
	var v struct {
		Failed  int                      `json:"failed"`
		Results []flows.PolicyTestResult `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 1 || v.Failed != 1 || v.Results[0].Clause == "" {
		t.Errorf("--json: exit %d %+v %v", code, v, err)
	}
}
