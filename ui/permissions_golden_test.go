package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// Goldens of the Permissions screen in the whole console, the way
// TestGolden (golden_test.go) does the core screens: offline model, pinned
// clock, Ascii profile, fixed sizes. Regenerate with
//
//	go test ./ui/ -run TestPermissionsGolden -update
func TestPermissionsGolden(t *testing.T) {
	set, err := flows.ParsePolicySet([]byte(policyExample))
	if err != nil {
		t.Fatal(err)
	}
	loaded := func(p *permissionsModel) { p.Update(policyLoadedMsg{path: "./policies.json", set: set}) }
	cases := []struct {
		name  string
		mode  flows.Mode
		w, h  int
		setup func(p *permissionsModel)
	}{
		{"defaults", flows.ModeSandbox, 100, 30, nil},
		{"defaults_60x15", flows.ModeSandbox, 60, 15, nil},
		{"policies_140x45", flows.ModeSandbox, 140, 45, loaded},
		{"policies_60x15", flows.ModeSandbox, 60, 15, func(p *permissionsModel) {
			loaded(p)
			p.focusByID("call[0].constraints[1].value")
		}},
		{"policies_body_60x15", flows.ModeSandbox, 60, 15, func(p *permissionsModel) {
			loaded(p)
			p.pvOnly = true
		}},
		{"invalid_after_submit", flows.ModeSandbox, 100, 30, func(p *permissionsModel) {
			p.toggleFull()
			p.revalidate()
			p.submit()
		}},
		{"live_confirm", flows.ModeLive, 100, 30, func(p *permissionsModel) { p.submit() }},
		{"try_open_60x15", flows.ModeSandbox, 60, 15, func(p *permissionsModel) {
			loaded(p)
			p.sim = &fakeSim{}
			p.openTry()
		}},
		{"try_refused_60x15", flows.ModeSandbox, 60, 15, func(p *permissionsModel) { loaded(p); tryAnswer(p, set) }},
		{"try_refused_live_100x30", flows.ModeLive, 100, 30, func(p *permissionsModel) { loaded(p); tryAnswer(p, set) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newOffline(t, flows.Config{Mode: tc.mode, ChainID: 84532, ClientID: "client-1", SecretKey: "sk_live_golden_secret"})
			withWalkthrough(m)
			if tc.mode == flows.ModeLive {
				m.c.client = apiclient.New("https://api.example.test/v1", "client-1", "sk_live_golden_secret")
			}
			m.active = permissionsScreen
			p := m.screens[permissionsScreen].(*permissionsModel)
			m.Update(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			p.Init()
			if tc.setup != nil {
				tc.setup(p)
				p.sync()      // state set directly, not through Update
				m.Update(nil) // a frame follows an Update: the root sets the key states there
			}
			frame := m.View()
			assertFits(t, frame, tc.w, tc.h)
			golden.RequireEqual(t, []byte(frame))
		})
	}
}

// tryAnswer opens the Try panel and gives it a refusal as the simulator
// would (the real one answers in cmd_console_dryrun_test.go).
func tryAnswer(p *permissionsModel, set flows.PolicySet) {
	p.sim = &fakeSim{}
	p.openTry()
	p.try.args.SetValue("0x5555555555555555555555555555555555555555, 1e18")
	p.try.running, p.try.gen, p.try.judged, p.try.call, p.try.runs = true, 1, set, true, 1
	p.Update(tryDoneMsg{gen: 1, res: flows.PolicyTestResult{Got: "ConditionFailed", Run: 1,
		Reason: "ConditionFailed: argument constraint failed (argument 0x5555555555555555555555555555555555555555, required == 0x4444444444444444444444444444444444444444)",
		Clause: "callPolicies[0].constraints[0] (to == 0x4444…4444)",
		Limits: []apiclient.LimitState{{Kind: flows.LimitKindCallParam, Target: "0x3333333333333333333333333333333333333333",
			Selector: "0xa9059cbb", Index: 1, Remaining: "150000000000000000000"}}}})
}
