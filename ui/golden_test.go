package ui

import (
	"net/http"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// Goldens of every screen this package's core owns, in final (stable)
// states, at fixed sizes, under the Ascii profile with a dark background,
// UTC and a pinned clock (TestMain, newOffline). Regenerate with
//
//	go test ./ui/ -run TestGolden -update
func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		screen screenID
		w, h   int
		setup  func(m *Model)
	}{
		{"connect", connectScreen, 100, 30, nil},
		{"login", loginScreen, 100, 30, nil},
		{"sessionkey", sessionKeyScreen, 100, 30, nil},
		{"grant", grantScreen, 100, 30, nil},
		{"send", sendScreen, 100, 30, nil},
		{"send_call", sendScreen, 100, 30, func(m *Model) {
			s := m.screens[sendScreen].(*send)
			s.callMode = true
			s.inResults = false
			s.call.FocusAt(0)
		}},
		{"activity", activityScreen, 100, 30, nil},
		{"activity_detail", activityScreen, 100, 40, func(m *Model) {
			addExchanges(m)
			a := m.screens[activityScreen].(*activity)
			a.sel, a.detail = 0, true
		}},
		{"inspector", grantScreen, 140, 45, func(m *Model) {
			addExchanges(m)
			m.inspect = true
		}},
		{"error_banner", loginScreen, 100, 30, func(m *Model) {
			m.banners[loginScreen] = errorText(&apiclient.APIError{Status: 401, Code: "unauthorized", Message: "unknown client ID", Method: "POST", Path: "/auth/complete"})
		}},
		{"final_140x45", sendScreen, 140, 45, nil},
		{"final_60x15", sendScreen, 60, 15, nil},
		{"full_help", sendScreen, 100, 30, func(m *Model) { m.helpOn = true }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox, ChainID: 84532})
			withWalkthrough(m)
			m.active = tc.screen
			if tc.screen == connectScreen {
				m.screens[connectScreen].Init()
			}
			if tc.setup != nil {
				tc.setup(m)
			}
			m.Update(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			frame := m.View()
			assertFits(t, frame, tc.w, tc.h)
			golden.RequireEqual(t, []byte(frame))
		})
	}
}

// addExchanges records a grant and a status poll as the client's hook would.
func addExchanges(m *Model) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+testToken)
	h.Set("X-Client-Id", "sandbox-client-1234")
	h.Set("Content-Type", "application/json")
	m.c.log.add(apiclient.Exchange{
		Tag: "grant", Method: "POST", URL: "http://127.0.0.1:40000/v1/wallets/create-session-key",
		RequestHeader: h,
		RequestBody:   []byte(`{"chainId":84532,"sessionKeyAddress":"` + testKey + `","durationInSeconds":3600,"grantFullPermissions":true}`),
		Status:        200,
		ResponseBody:  []byte(`{"transactionId":"` + testGrant + `","result":{"transactionIds":["` + testGrant + `"]}}`),
		Duration:      12 * time.Millisecond,
	})
	sh := http.Header{}
	sh.Set("X-Secret-Key", "sk_sandbox_abcdefghijklmnopqrstuvwxyz")
	m.c.log.add(apiclient.Exchange{
		Tag: "watch", Method: "GET", URL: "http://127.0.0.1:40000/v1/transactions/" + testGrant,
		RequestHeader: sh, Status: 200,
		ResponseBody: []byte(`{"result":{"id":"` + testGrant + `","status":"CONFIRMED","transactionHash":"` + testHash + `","confirmedAtBlockNumber":"41"}}`),
		Duration:     3 * time.Millisecond,
	})
}
