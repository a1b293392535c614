package flows

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/contracts"
)

func lintFile(t *testing.T, path string, opts LintOptions) []LintFinding {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, fs, err := LintPolicyFile(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestLintFlagsEveryHazard(t *testing.T) {
	fs := lintFile(t, "testdata/lint/hazards.json", LintOptions{Account: "0x1111111111111111111111111111111111111111"})
	byCode := map[string][]LintFinding{}
	for _, f := range fs {
		byCode[f.Code] = append(byCode[f.Code], f)
		if f.Why == "" || f.Fix == "" || f.Message == "" {
			t.Errorf("finding without message, why or fix: %+v", f)
		}
	}
	want := map[string]string{ // code → path of one finding
		LintImplicitFull:       "grantFullPermissions",
		LintLongExpiry:         "durationInSeconds",
		LintSelfTarget:         "callPolicies[0].target",
		LintPrivilegedSelector: "callPolicies[1].selector",
		LintUnlimitedValue:     "callPolicies[2].valueLimit",
		LintFixedWindow:        "callPolicies[2].constraints[0].limit",
		LintDuplicate:          "callPolicies[3]",
		LintSignedCompare:      "callPolicies[4].constraints[0].condition",
		LintNoMaxPerUse:        "transferPolicies[0].maxValuePerUse",
	}
	for code, path := range want {
		found := false
		for _, f := range byCode[code] {
			found = found || f.Path == path
		}
		if !found {
			t.Errorf("no %s finding at %s; got %v", code, path, byCode[code])
		}
	}
	// maxValuePerUse equal to the lifetime limit: no effective per-use cap.
	if !slices.ContainsFunc(byCode[LintNoMaxPerUse], func(f LintFinding) bool { return f.Path == "transferPolicies[1].maxValuePerUse" }) {
		t.Errorf("per-use cap equal to the limit not flagged: %v", byCode[LintNoMaxPerUse])
	}
	// The fixed-window warning gives the numbers: twice 100e18 in a burst.
	if fw := byCode[LintFixedWindow]; len(fw) == 0 || !strings.Contains(fw[0].Message, "200e18") || !strings.Contains(fw[0].Message, "100e18 per 1d") {
		t.Errorf("fixed-window message lacks the numbers: %v", fw)
	}
	errs, _ := LintCounts(fs)
	if errs != 2 { // the account as target, the duplicate
		t.Errorf("errors = %d, want 2: %v", errs, fs)
	}
	if fs[0].Severity != LintError {
		t.Errorf("errors are not listed first: %v", fs)
	}

	full := LintPolicySet(PolicySet{GrantFullPermissions: true}, LintOptions{GrantFullPresent: true})
	if len(full) != 1 || full[0].Code != LintFullPermissions {
		t.Errorf("full permissions: %v", full)
	}
}

func TestLintCleanFileFlagsNothing(t *testing.T) {
	if fs := lintFile(t, "../examples/policies/erc20-capped-transfer.json", LintOptions{Account: "0x1111111111111111111111111111111111111111"}); len(fs) != 0 {
		t.Errorf("clean file flagged: %v", fs)
	}
}

func TestLintSignedWithoutSignature(t *testing.T) {
	// No signature known, but the reference value is negative in two's complement.
	s := PolicySet{CallPolicies: []apiclient.CallPolicy{{
		Target: "0x3333333333333333333333333333333333333333", Selector: "0x12345678",
		Constraints: []apiclient.Constraint{{Condition: 2, Index: 0, RefValue: "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb"}},
	}}}
	fs := LintPolicySet(s, LintOptions{GrantFullPresent: true})
	if !slices.ContainsFunc(fs, func(f LintFinding) bool { return f.Code == LintSignedCompare }) {
		t.Errorf("negative reference value with > not flagged: %v", fs)
	}
}

// The privileged selectors are the account contract's own state-changing
// functions, as the sandbox's contract has them too.
func TestPrivilegedSelectorsMatchContract(t *testing.T) {
	for _, name := range []string{"execute", "executeWithSig", "createSessionWithSig"} {
		id := hexutil.Encode(contracts.AccountABI.Methods[name].ID)
		if _, ok := privilegedSelectors[id]; !ok {
			t.Errorf("%s (%s) is not flagged as privileged", name, id)
		}
	}
	for id, sig := range privilegedSelectors {
		if strings.HasPrefix(sig, "get") || strings.HasPrefix(sig, "is") {
			t.Errorf("view %s (%s) flagged as privileged", sig, id)
		}
	}
}
