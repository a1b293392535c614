package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
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

// The dry run agrees with what the granted policy then does on chain, case
// for case: every example case runs once on a scratch chain and once
// through the sandbox's API (guest login, server wallet, create-session-key,
// then sends or contract writes as the key, advance-time for "after").
func TestPolicyDryRunAgreesWithSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox and scratch chains")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r := startOnDemandSandbox(t, ctx)
	client := r.Client
	files, _ := filepath.Glob("examples/policies/*.json")
	compared := 0
	for _, f := range files {
		set, err := flows.LoadPolicyFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dry, err := flows.RunPolicyTests(ctx, policySimulator(sandbox.DefaultChainID), set)
		if err != nil {
			t.Fatal(err)
		}
		cases, _ := flows.ParsePolicyTests(set.Tests)
		for i, c := range cases {
			got := onSandbox(ctx, t, r, client, set, c)
			if got != dry[i].Got {
				t.Errorf("%s / %s: dry run says %s, the sandbox's chain says %s", f, c.Name, dry[i].Got, got)
			}
			compared++
		}
	}
	if compared < 10 {
		t.Fatalf("compared only %d cases", compared)
	}
}

// onSandbox runs one case through the API on a fresh account and key and
// returns "pass" or the error name of the first refused run.
func onSandbox(ctx context.Context, t *testing.T, r *flows.Runner, client *apiclient.Client, set flows.PolicySet, c flows.PolicyTest) string {
	t.Helper()
	login, err := r.Login(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	key, err := r.CreateSessionKey(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	g, err := r.Grant(ctx, login, key, flows.GrantInput{Duration: time.Duration(set.DurationInSeconds) * time.Second,
		Full: set.GrantFullPermissions, CallPolicies: set.CallPolicies, TransferPolicies: set.TransferPolicies})
	if err != nil {
		t.Fatal(err)
	}
	if tx, err := r.Watch(ctx, g.TxID, nil); err != nil || tx.Status != apiclient.StatusConfirmed {
		t.Fatalf("grant: %+v %v", tx, err)
	}
	for range max(c.Repeat, 1) {
		if c.After != "" {
			d, _ := flows.ParsePeriod(c.After)
			if _, err := client.AdvanceTime(ctx, sandbox.DefaultChainID, int64(d/time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		if c.Transfer != nil {
			v, err := flows.ParseValue(c.Transfer.Value)
			if err != nil {
				t.Fatal(err)
			}
			ids, err = r.Send(ctx, login, key, []apiclient.Recipient{{Address: c.Transfer.To, Quantity: apiclient.Dec(v)}})
			if err != nil {
				t.Fatal(err)
			}
		} else {
			sel, err := flows.ParseSelector(c.Call.Signature)
			if err != nil {
				t.Fatal(err)
			}
			var params []any
			for j, a := range c.Call.Args {
				s := a.(string)
				if strings.HasPrefix(sel.Args[j].Type, "uint") {
					n, err := flows.ParseArgAmount(s)
					if err != nil {
						t.Fatal(err)
					}
					s = n.String()
				}
				params = append(params, s)
			}
			call := apiclient.ContractCall{ContractAddress: c.Call.To, Method: sel.Full(), Params: params}
			if c.Call.Value != "" {
				v, err := flows.ParseValue(c.Call.Value)
				if err != nil {
					t.Fatal(err)
				}
				call.Value = apiclient.Dec(v)
			}
			ids, err = r.Call(ctx, login, key, []apiclient.ContractCall{call})
			if err != nil {
				t.Fatal(err)
			}
		}
		tx, err := r.Watch(ctx, ids[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		if tx.Status != apiclient.StatusConfirmed {
			return flows.ErrorName(tx.Error())
		}
	}
	return "pass"
}

// startOnDemandSandbox starts a sandbox mining each transaction at once and
// returns a runner on it with the secret key: where granted policies are judged on a
// real chain in the agreement tests.
func startOnDemandSandbox(t *testing.T, ctx context.Context) *flows.Runner {
	t.Helper()
	sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{BlockTime: sandbox.MineOnDemand})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	client := apiclient.New(sb.BaseURL, sb.ClientID(), sb.SecretKey())
	return &flows.Runner{Client: client, ChainID: sandbox.DefaultChainID}
}
