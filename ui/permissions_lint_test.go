package ui

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"walletconsole/flows"
)

// loadHazards puts the linter's hazard file into the editors, as ctrl+o
// would (read leniently: the strict loader refuses its duplicate).
func loadHazards(t *testing.T, m *permissionsModel) {
	t.Helper()
	b, err := os.ReadFile("../flows/testdata/lint/hazards.json")
	if err != nil {
		t.Fatal(err)
	}
	set, _, err := flows.LintPolicyFile(b, flows.LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(policyLoadedMsg{path: "hazards.json", set: set})
}

var spaces = regexp.MustCompile(`\s+`)

// flat joins wrapped lines back into one line of words.
func flat(s string) string { return spaces.ReplaceAllString(strings.TrimSpace(s), " ") }

// Every hazard of `policy lint` shows live on the screen, with why and fix,
// and the same findings as the CLI's linter on the same set.
func TestPermissionsLintShowsEachHazard(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 100, 200)
	m.c.sess.login.Address = "0x1111111111111111111111111111111111111111"
	loadHazards(t, m)
	v := flat(permView(m))
	for _, want := range []string{
		"Lint ✗ 2 errors, 7 warnings",
		"callPolicies[0].target: the target is the account itself (0x1111…1111)",
		"callPolicies[3]: same target and selector",
		"durationInSeconds: the session lasts 60d, more than 30 days",
		"callPolicies[1].selector: 0x3f707e6b is a session account's own function (execute)",
		"callPolicies[2].valueLimit: the value limit is Unlimited",
		"callPolicies[2].constraints[0].limit: allowance of 100e18 per 1d uses fixed windows: a spender can use 200e18 in seconds",
		"callPolicies[4].constraints[0].condition: argument 0 is a signed integer (int256) compared with <",
		"transferPolicies[0].maxValuePerUse: no max value per use (0)",
		"transferPolicies[1].maxValuePerUse: max value per use (1 ETH) is not below the lifetime limit (1 ETH)",
		"why: the contract compares 32-byte words unsigned",
		"fix: use == or != on signed arguments",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in\n%s", want, permView(m))
		}
	}
	// Lint errors block the grant and say why.
	if permEmitsGrant(permPress(m, "ctrl+s")) {
		t.Fatal("granted despite lint errors")
	}
	if v := flat(permView(m)); !strings.Contains(v, "✗ 2 lint errors blocks the grant: callPolicies[0].target: the target is the account itself") {
		t.Errorf("no lint blocker in the summary:\n%s", permView(m))
	}
}

// Full access is a warning (it does not block the four-key walk); a clean
// draft shows no finding at all.
func TestPermissionsLintFullAndClean(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 100, 40)
	if v := flat(permView(m)); !strings.Contains(v, "Lint ⚠ 1 warning") || !strings.Contains(v, "grantFullPermissions is true") {
		t.Errorf("full access not flagged:\n%s", permView(m))
	}
	if !permEmitsGrant(permPress(m, "ctrl+s")) {
		t.Error("a warning blocked the grant")
	}
	set, err := flows.LoadPolicyFile("../examples/policies/erc20-capped-transfer.json")
	if err != nil {
		t.Fatal(err)
	}
	m.Update(policyLoadedMsg{path: "clean.json", set: set})
	v := permView(m)
	if !strings.Contains(v, "Lint ✓ no hazards found") || strings.Contains(v, "⚠") || strings.Contains(v, "why:") {
		t.Errorf("a clean draft shows findings:\n%s", v)
	}
	// Live: editing the draft brings a finding at once (a new transfer
	// policy without a max value per use), and deleting it clears it again.
	permFocus(t, m, "transfer.add")
	permPress(m, "enter")
	permFocus(t, m, "transfer[0].target")
	permType(m, "0x5555555555555555555555555555555555555555")
	if v := flat(permView(m)); !strings.Contains(v, "Lint ⚠ 1 warning") || !strings.Contains(v, "transferPolicies[0].maxValuePerUse: no max value per use (0)") {
		t.Errorf("no live finding after typing a transfer policy:\n%s", permView(m))
	}
	permPress(m, "ctrl+d")
	if v := permView(m); !strings.Contains(v, "Lint ✓ no hazards found") {
		t.Errorf("finding stayed after deleting the policy:\n%s", v)
	}
}

// At 60×15 the count shows under the form, and ctrl+p shows every finding
// whole: scrolling the pane reads each message, why and fix.
func TestPermissionsLintReadableAt60x15(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 60, 15)
	m.c.sess.login.Address = "0x1111111111111111111111111111111111111111"
	loadHazards(t, m)
	v := permView(m)
	permCheckFits(t, m, 60, 15, "hazards")
	if !strings.Contains(v, "lint: 2 errors, 7 warnings · ctrl+p reads them") {
		t.Errorf("no lint count at 60×15:\n%s", v)
	}
	permPress(m, "ctrl+p")
	// One line at a time: each frame's first scrolled line, then the last
	// frame's whole pane, is everything the pane holds, in order.
	var all []string
	for i := 0; i < 400; i++ {
		permCheckFits(t, m, 60, 15, "scrolled")
		ls := strings.Split(permView(m), "\n")
		if !strings.Contains(permView(m), "more lines (pgdn)") {
			all = append(all, ls[1:]...)
			break
		}
		all = append(all, ls[1])
		permPress(m, "down")
	}
	text := flat(strings.Join(all, " "))
	for _, f := range m.lint {
		for _, part := range []string{f.Message, "why: " + f.Why, "fix: " + f.Fix} {
			if !strings.Contains(text, flat(part)) {
				t.Errorf("%s: %q not readable at 60×15", f.Code, part)
			}
		}
	}
}
