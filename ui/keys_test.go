package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// keyWorld is one screen of the console as a person meets it after the
// walkthrough: connected (live mode, to a fake API whose writes never
// answer, so a key that sends a request shows it waiting), with a failed
// call whose reason has amounts (w), requests in the log (x, i) and
// nothing pending (q quits at once).
type keyWorld struct {
	m    *Model
	d    *uiDriver
	clip *recordingClipboard
	id   screenID
	from screenID // the step it was opened from (Activity and Sessions return there)
}

func newKeyWorld(t *testing.T, f *fakeAPI, id screenID) *keyWorld {
	t.Helper()
	cfg := f.cfg()
	cfg.RPCURL = f.srv.URL + "/rpc" // the Sessions step reads this chain (loopback only)
	m, clip := newOffline(t, cfg)
	d := drive(t, m, 100, 30)
	d.untilFn(5*time.Second, func() bool { return m.c.runner != nil }, "connected")
	withWalkthrough(m)
	failedCall(m)
	addExchanges(m)
	from := m.active
	d.send(goToMsg{id})
	if id == sendScreen {
		m.screens[sendScreen].(*send).inResults = false // as opened from Grant: the form
	}
	d.send(nil)
	// settled: the lists a step loads as it opens have come back
	d.untilFn(5*time.Second, func() bool { return m.inFlight() == 0 }, "the step's first requests")
	return &keyWorld{m: m, d: d, clip: clip, id: id, from: from}
}

func (w *keyWorld) frame() string { return ansi.Strip(w.m.View()) }

// copied is the clipboard's last value ("" when nothing was copied).
func (w *keyWorld) copied() string {
	if got := w.clip.copies(); len(got) > 0 {
		return got[len(got)-1]
	}
	return ""
}

// keyCase is one documented key on one screen: what the person sees after
// it (check returns what is wrong, "" when the effect is there).
type keyCase struct {
	key   string
	setup func(w *keyWorld) // state the key needs (a banner, a field focused)
	check func(w *keyWorld) string
}

func expect(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// backTo is where esc goes from each step (docs/keys.md: back one step).
var backTo = map[screenID]screenID{
	connectScreen: connectScreen, loginScreen: connectScreen, sessionKeyScreen: loginScreen,
	permissionsScreen: sessionKeyScreen, grantScreen: permissionsScreen, sendScreen: grantScreen,
}

// everywhereCases are docs/keys.md's "Everywhere" table on screen id.
func everywhereCases(id screenID) []keyCase {
	stays := func(w *keyWorld) string { return expect(w.m.active == id, "left the step for %s", w.m.active) }
	var cs []keyCase
	cs = append(cs,
		keyCase{key: "?", check: func(w *keyWorld) string {
			return expect(w.m.helpOn && strings.Contains(w.frame(), "Keys · "+id.String()), "no key list:\n%s", w.frame())
		}},
		keyCase{key: "i", check: func(w *keyWorld) string {
			return expect(w.m.inspect && strings.Contains(w.frame(), "Inspector"), "no inspector:\n%s", w.frame())
		}},
		keyCase{key: "w", check: func(w *keyWorld) string {
			return expect(w.m.c.rawWei && strings.Contains(w.frame(), "raw base units"), "w did not switch reasons to wei:\n%s", w.frame())
		}},
		keyCase{key: "q", check: func(w *keyWorld) string { return expect(w.m.closed && w.d.quit.Load(), "q did not quit") }},
		keyCase{key: "ctrl+c", check: func(w *keyWorld) string { return expect(w.m.closed && w.d.quit.Load(), "ctrl+c did not quit") }},
		keyCase{key: "r", setup: func(w *keyWorld) {
			w.d.send(errMsg{id, retryableError{fmt.Errorf("the API did not answer in time")}})
		}, check: func(w *keyWorld) string {
			return expect(w.m.banners[id] == "" && strings.Contains(w.frame(), "retrying"), "r did not retry:\n%s", w.frame())
		}},
		keyCase{key: "esc", check: func(w *keyWorld) string {
			want, ok := backTo[id]
			if !ok { // Activity and Sessions: back where they were opened from
				want = w.from
			}
			return expect(w.m.active == want, "esc went to %s, want %s", w.m.active, want)
		}},
	)
	// a, s: open their screen (and do nothing on it)
	for _, k := range []struct {
		key string
		to  screenID
	}{{"a", activityScreen}, {"s", sessionsScreen}} {
		cs = append(cs, keyCase{key: k.key, check: func(w *keyWorld) string {
			if id == k.to {
				return stays(w)
			}
			return expect(w.m.active == k.to && strings.Contains(w.frame(), k.to.String()), "%s did not open %s (on %s)", k.key, k.to, w.m.active)
		}})
	}
	// c: the highlighted value, or says there is none
	cs = append(cs, keyCase{key: "c", check: func(w *keyWorld) string {
		if cp, ok := w.m.screens[id].(copier); ok {
			if _, v, ok := cp.copyTarget(); ok {
				return expect(w.copied() == v && strings.Contains(w.frame(), "copied"), "c copied %q, want %q", w.copied(), v)
			}
		}
		return expect(strings.Contains(w.frame(), "nothing to copy here"), "c on nothing to copy says nothing:\n%s", w.frame())
	}})
	// x: the step's last request as curl, or says there is none
	cs = append(cs, keyCase{key: "x", check: func(w *keyWorld) string {
		r, ok := w.m.screens[id].(requester)
		if !ok {
			return expect(strings.Contains(w.frame(), "no request on this step"), "x where no request is made says nothing:\n%s", w.frame())
		}
		if _, have := w.m.exchangeOf(r); !have {
			return expect(strings.Contains(w.frame(), "no request made on this step yet"), "x before any request says nothing:\n%s", w.frame())
		}
		return expect(strings.HasPrefix(w.copied(), "curl ") && strings.Contains(w.copied(), "--fail") && strings.Contains(w.frame(), "curl"),
			"x copied %q:\n%s", w.copied(), w.frame())
	}})
	return cs
}

// stepCases are the per-step rows of docs/keys.md, and enter, ctrl+s,
// tab and shift+tab where the step has them (elsewhere they do nothing).
func stepCases(id screenID) []keyCase {
	nothing := func(w *keyWorld) string {
		return expect(w.m.active == id && w.m.banners[id] == "" && !w.m.screens[id].Capturing(), "changed the step (on %s):\n%s", w.m.active, w.frame())
	}
	focused := func(w *keyWorld) string {
		return expect(w.m.active == id && strings.Contains(w.frame(), "› "), "no field focused:\n%s", w.frame())
	}
	waiting := func(what string) func(w *keyWorld) string {
		return func(w *keyWorld) string {
			return expect(strings.Contains(w.frame(), what) || strings.Contains(w.frame(), "waiting for the API"), "not %q:\n%s", what, w.frame())
		}
	}
	goes := func(to screenID) func(w *keyWorld) string {
		return func(w *keyWorld) string { return expect(w.m.active == to, "on %s, want %s", w.m.active, to) }
	}
	switch id {
	case connectScreen:
		c := func(w *keyWorld) *connect { return w.m.screens[connectScreen].(*connect) }
		live := func(want bool) func(w *keyWorld) string {
			return func(w *keyWorld) string { return expect(c(w).live == want, "live=%v", c(w).live) }
		}
		return []keyCase{
			{key: "left", check: live(false)}, // live mode (the fake API): ← goes to sandbox
			{key: "right", check: live(false)},
			{key: "space", check: live(false)},
			{key: "ctrl+t", check: func(w *keyWorld) string { return expect(c(w).reveal, "ctrl+t did not show the secrets") }},
			{key: "enter", check: func(w *keyWorld) string {
				return expect(c(w).form.Focused() == Field(c(w).apiURL), "enter on Mode did not go to the next field")
			}},
			{key: "tab", check: func(w *keyWorld) string {
				return expect(c(w).form.Focused() == Field(c(w).apiURL) && w.m.screens[id].Capturing(), "tab did not edit the next field")
			}},
			{key: "shift+tab", check: func(w *keyWorld) string {
				return expect(c(w).form.Focused() == Field(c(w).chain), "shift+tab from the first row did not go to the last")
			}},
			{key: "ctrl+s", check: goes(loginScreen)}, // same settings: on to Guest login
		}
	case loginScreen:
		return []keyCase{
			{key: "enter", check: goes(sessionKeyScreen)}, // logged in: continue
			{key: "n", check: waiting("logging in")},
			{key: "tab", check: nothing}, {key: "shift+tab", check: nothing}, {key: "ctrl+s", check: nothing},
		}
	case sessionKeyScreen:
		sk := func(w *keyWorld) *sessionKey { return w.m.screens[sessionKeyScreen].(*sessionKey) }
		return []keyCase{
			{key: "enter", check: waiting("creating")},
			{key: "tab", check: func(w *keyWorld) string {
				return expect(sk(w).form.Editing() && strings.Contains(w.frame(), "esc leave field"), "tab did not edit the identifier")
			}},
			{key: "down", check: func(w *keyWorld) string {
				return expect(sk(w).inList && strings.Contains(w.frame(), "› "), "↓ did not reach the list:\n%s", w.frame())
			}},
			{key: "up", setup: func(w *keyWorld) { w.d.key("down", "down") }, check: func(w *keyWorld) string {
				return expect(sk(w).inList && sk(w).sel == 0, "↑ in the list: sel %d", sk(w).sel)
			}},
			{key: "enter", setup: func(w *keyWorld) { w.d.key("down", "down") }, check: func(w *keyWorld) string {
				return expect(w.m.c.sess.key.Identifier == "ops-bot", "enter on the list did not use the chosen key: %+v", w.m.c.sess.key)
			}},
			{key: "ctrl+l", check: func(w *keyWorld) string { return expect(sk(w).loading || sk(w).loaded, "ctrl+l did not reload") }},
			{key: "ctrl+s", check: nothing},
		}
	case permissionsScreen:
		p := func(w *keyWorld) *permissionsModel { return w.m.screens[permissionsScreen].(*permissionsModel) }
		return []keyCase{
			{key: "right", check: func(w *keyWorld) string {
				return expect(!strings.Contains(w.frame(), "‹ 1 h ›"), "→ did not change the duration:\n%s", w.frame())
			}},
			{key: "left", check: func(w *keyWorld) string {
				return expect(!strings.Contains(w.frame(), "‹ 1 h ›"), "← did not change the duration:\n%s", w.frame())
			}},
			{key: "tab", check: focused},
			{key: "enter", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "› Full access"), "enter did not go to the next field:\n%s", w.frame())
			}},
			{key: "space", setup: func(w *keyWorld) { w.d.key("tab") }, check: func(w *keyWorld) string {
				return expect(!p(w).full, "space on Full access did not turn it off")
			}},
			{key: "ctrl+o", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "Load from"), "ctrl+o: no path prompt:\n%s", w.frame())
			}},
			{key: "ctrl+t", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "Save to"), "ctrl+t: no path prompt:\n%s", w.frame())
			}},
			// live mode (the fake API): a full grant asks first
			{key: "ctrl+s", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "Grant FULL permissions on live chain 84532? (y/N)"), "ctrl+s did not ask before a live full grant:\n%s", w.frame())
			}},
			{key: "y", setup: func(w *keyWorld) { w.d.key("ctrl+s") }, check: goes(grantScreen)}, // y confirms
			// w with no failure reason of the run: the Try panel's answer has amounts
			{key: "w", setup: func(w *keyWorld) {
				w.m.c.txs = newTxStore()
				p(w).openTry()
				tr := p(w).try
				tr.running, tr.gen, tr.call, tr.runs = true, 7, true, 1
				w.d.send(tryDoneMsg{gen: 7, res: flows.PolicyTestResult{Got: "pass", Limits: []apiclient.LimitState{
					{Kind: flows.LimitKindCallParam, Target: testToken2, Selector: "0xa9059cbb", Index: 1, Remaining: "149000000000000000000"}}}})
			}, check: func(w *keyWorld) string {
				return expect(w.m.c.rawWei && strings.Contains(seen(w.frame()), "149000000000000000000left"), "w did not show the answer's meters raw:\n%s", w.frame())
			}},
		}
	case grantScreen:
		g := func(w *keyWorld) *grant { return w.m.screens[grantScreen].(*grant) }
		return []keyCase{
			{key: "enter", check: goes(sendScreen)},
			{key: "right", check: func(w *keyWorld) string {
				return expect(g(w).pick == 1 && strings.Contains(w.frame(), "› "+apiclient.ShortHex(testHash)) || strings.Contains(w.frame(), "› "+testHash), "→ did not pick the hash:\n%s", w.frame())
			}},
			{key: "left", setup: func(w *keyWorld) { w.d.send(keyMsg("right")) }, check: func(w *keyWorld) string {
				return expect(g(w).pick == 0 && strings.Contains(w.frame(), "› "+testGrant), "← did not pick the ID:\n%s", w.frame())
			}},
			{key: "tab", check: nothing}, {key: "shift+tab", check: nothing}, {key: "ctrl+s", check: nothing},
		}
	case sendScreen:
		s := func(w *keyWorld) *send { return w.m.screens[sendScreen].(*send) }
		return []keyCase{
			{key: "ctrl+s", check: waiting("sending")},
			{key: "tab", check: func(w *keyWorld) string { return expect(s(w).form().Editing(), "tab did not edit the form") }},
			{key: "enter", check: func(w *keyWorld) string { return expect(s(w).form().Index() == 0, "enter did not go into the form") }},
			{key: "shift+tab", check: func(w *keyWorld) string {
				return expect(s(w).form().Index() == 1, "shift+tab did not go to the last field")
			}},
			{key: "ctrl+t", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "[Contract call]"), "ctrl+t did not switch:\n%s", w.frame())
			}},
			{key: "ctrl+n", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "Recipient 2"), "ctrl+n added no recipient:\n%s", w.frame())
			}},
			{key: "ctrl+d", setup: func(w *keyWorld) { w.d.key("ctrl+n") }, check: func(w *keyWorld) string {
				return expect(len(s(w).rows) == 1 && !strings.Contains(w.frame(), "Recipient 2"), "ctrl+d removed nothing")
			}},
			{key: "down", setup: func(w *keyWorld) { s(w).results = append(s(w).results, revertID); s(w).inResults, s(w).sel = true, 0 }, check: func(w *keyWorld) string {
				return expect(s(w).sel == 1 && strings.Contains(w.frame(), "› "+fitHex(revertID, s(w).w-30)), "↓ did not choose the next send:\n%s", w.frame())
			}},
			{key: "up", setup: func(w *keyWorld) { s(w).results = append(s(w).results, revertID); s(w).inResults, s(w).sel = true, 1 }, check: func(w *keyWorld) string {
				return expect(s(w).sel == 0, "↑ did not choose the previous send")
			}},
		}
	case activityScreen:
		a := func(w *keyWorld) *activity { return w.m.screens[activityScreen].(*activity) }
		sel := func(want int) func(w *keyWorld) string {
			return func(w *keyWorld) string { return expect(a(w).sel == want, "selection %d, want %d", a(w).sel, want) }
		}
		last := 2 // grant, send, the failed call
		return []keyCase{
			{key: "down", check: sel(1)}, {key: "j", check: sel(1)},
			{key: "up", setup: func(w *keyWorld) { w.d.key("G") }, check: sel(last - 1)},
			{key: "G", check: sel(last)}, {key: "g", setup: func(w *keyWorld) { w.d.key("G") }, check: sel(0)},
			{key: "pgdown", check: sel(last)}, {key: "pgup", setup: func(w *keyWorld) { w.d.key("G") }, check: sel(0)},
			{key: "enter", check: func(w *keyWorld) string {
				return expect(a(w).detail && strings.Contains(w.frame(), "esc: back to the list"), "enter opened no detail:\n%s", w.frame())
			}},
			{key: "esc", setup: func(w *keyWorld) { w.d.key("enter") }, check: func(w *keyWorld) string {
				return expect(!a(w).detail && w.m.active == activityScreen, "esc in the detail did not go back to the list")
			}},
			{key: "down", setup: func(w *keyWorld) { w.d.key("G", "enter") }, check: func(w *keyWorld) string {
				return expect(a(w).dv.offset() == 1, "↓ did not scroll the detail (offset %d)", a(w).dv.offset())
			}},
			{key: "tab", check: nothing}, {key: "ctrl+s", check: nothing},
		}
	case sessionsScreen:
		return []keyCase{
			{key: "down", check: nothing}, {key: "up", check: nothing}, // no sessions listed: nothing to move
			{key: "v", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "no session selected"), "v said nothing:\n%s", w.frame())
			}},
			{key: "E", check: func(w *keyWorld) string {
				return expect(strings.Contains(w.frame(), "select a live session"), "E said nothing:\n%s", w.frame())
			}},
			{key: "+", check: waiting("advancing the chain's clock 1h")},
			{key: "D", check: waiting("advancing the chain's clock 1d")},
			{key: "enter", check: nothing}, {key: "tab", check: nothing}, {key: "ctrl+s", check: nothing},
			// w with no failure reason of the run: the selected session's meters have amounts
			{key: "w", setup: func(w *keyWorld) {
				w.m.c.txs = newTxStore()
				s := w.m.screens[sessionsScreen].(*sessionsView)
				s.err, s.loaded, s.list = "", true, meteredSessions()
				w.d.send(nil)
			}, check: func(w *keyWorld) string {
				return expect(w.m.c.rawWei && strings.Contains(seen(w.frame()), "149000000000000000000left"), "w did not show the meters raw:\n%s", w.frame())
			}},
		}
	}
	return nil
}

// Every key of docs/keys.md on every screen, on the real root model: the
// documented effect is on screen, or (where the key is not the step's)
// nothing changes.
func TestEveryDocumentedKeyOnEveryScreen(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /*", f.hang()) // a request that was sent shows as waiting
	f.on("POST /rpc", jsonAnswer(200, `{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"no chain here"}}`))
	f.on("GET /wallets/server", jsonAnswer(200, `{"result":{"pagination":{"hasMore":false},"wallets":[`+
		`{"address":"`+testKey+`","profiles":[{"type":"server","identifier":"session-key-1795618400000"}]},`+
		`{"address":"`+testToken2+`","profiles":[{"type":"server","identifier":"ops-bot"}]}]}}`))
	for id := connectScreen; id < numScreens; id++ {
		cases := append(everywhereCases(id), stepCases(id)...)
		for _, kc := range cases {
			name := fmt.Sprintf("%s/%s", strings.ReplaceAll(id.String(), " ", "_"), kc.key)
			if kc.setup != nil {
				name += "+setup"
			}
			t.Run(name, func(t *testing.T) {
				w := newKeyWorld(t, f, id)
				if kc.setup != nil {
					kc.setup(w)
				}
				w.d.send(keyMsg(kc.key))
				problem := kc.check(w)
				for end := time.Now().Add(2 * time.Second); problem != "" && time.Now().Before(end); problem = kc.check(w) {
					w.d.pump(10 * time.Millisecond)
				}
				if problem != "" {
					t.Errorf("%s on %s: %s", kc.key, id, problem)
				}
				if !w.m.closed {
					assertFits(t, w.m.View(), 100, 30)
				}
			})
		}
	}
	// docs/keys.md lists no key this test does not press somewhere
	pressed := map[string]bool{}
	for id := connectScreen; id < numScreens; id++ {
		for _, kc := range append(everywhereCases(id), stepCases(id)...) {
			pressed[kc.key] = true
		}
	}
	for _, k := range []string{"enter", "ctrl+s", "tab", "shift+tab", "esc", "c", "x", "i", "a", "s", "w", "r", "?", "q", "ctrl+c",
		"left", "right", "space", "ctrl+t", "n", "up", "down", "ctrl+l", "ctrl+o", "ctrl+n", "ctrl+d", "pgup", "pgdown", "g", "G", "v", "+", "D", "E"} {
		if !pressed[k] {
			t.Errorf("documented key %q is pressed on no screen", k)
		}
	}
}

// keyStates is every key's enabled state and help as the footer and ? read
// them, and every scroll offset: what a frame must not change.
func keyStates(m *Model) string {
	var b strings.Builder
	for _, k := range []*key.Binding{&m.keys.Quit, &m.keys.ForceQ, &m.keys.Help, &m.keys.Copy, &m.keys.Curl, &m.keys.Inspect,
		&m.keys.Retry, &m.keys.Back, &m.keys.Activity, &m.keys.Sessions, &m.keys.RawWei} {
		fmt.Fprintf(&b, "%s=%v ", k.Help().Key, k.Enabled())
	}
	for _, s := range m.screens {
		for _, g := range s.FullHelp() {
			for _, k := range g {
				fmt.Fprintf(&b, "%s:%s=%v ", k.Help().Key, k.Help().Desc, k.Enabled())
			}
		}
	}
	a := m.screens[activityScreen].(*activity)
	ss := m.screens[sessionsScreen].(*sessionsView)
	fmt.Fprintf(&b, "offsets %d %d %d %d %d", m.hv.offset(), m.iv.offset(), a.dv.offset(), a.off, ss.scroll.offset())
	return b.String()
}

// meteredSessions is a session list whose one live session has a meter of
// the sandbox token (amount: 1 TST used of 150).
func meteredSessions() flows.SessionList {
	calls := []apiclient.CallPolicy{{Target: testToken2, Selector: "0xa9059cbb", Constraints: []apiclient.Constraint{
		{Condition: apiclient.CondUnconstrained, Index: 1, Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000", Period: "0"}},
	}}}
	limits := []apiclient.LimitState{{Kind: flows.LimitKindCallParam, Target: testToken2, Selector: "0xa9059cbb", Index: 1, Remaining: "149000000000000000000"}}
	return flows.SessionList{ChainID: 84532, Account: testUser, Sessions: []flows.SessionEntry{{Signer: testKey, Status: flows.SessionLive,
		CallPolicies: calls, Meters: flows.Meters(calls, nil, limits, testNow)}}}
}

// w is offered while the screen shows amounts (a dry run's or a session's
// meters) even when no failure reason of the run has any; the state is
// set in Update, never by View.
func TestRawWeiKeyFollowsScreenAmounts(t *testing.T) {
	for _, tc := range []struct {
		id   screenID
		show func(m *Model)
	}{
		{permissionsScreen, func(m *Model) {
			p := m.screens[permissionsScreen].(*permissionsModel)
			p.openTry()
			p.try.has, p.try.res = true, flows.PolicyTestResult{Got: "pass", Limits: []apiclient.LimitState{meteredSessions().Sessions[0].Meters[0].State}}
		}},
		{sessionsScreen, func(m *Model) {
			s := m.screens[sessionsScreen].(*sessionsView)
			s.err, s.loaded, s.list = "", true, meteredSessions()
		}},
	} {
		m, _ := openScreen(t, tc.id, 60, 15)
		m.Update(nil)
		if m.keys.RawWei.Enabled() {
			t.Fatalf("%s: w offered with no amounts on screen", tc.id)
		}
		tc.show(m)
		m.View()
		if m.keys.RawWei.Enabled() {
			t.Errorf("%s: View turned w on", tc.id)
		}
		m.Update(nil)
		if !m.keys.RawWei.Enabled() {
			t.Errorf("%s: w not offered while the screen shows amounts", tc.id)
		}
	}
}

// Views have no side effects: key states are set in Update (after every
// message), never while drawing. State that changed without an Update (as
// between a command and its message) shows in the next Update, not in
// View.
func TestViewSetsNoKeyStates(t *testing.T) {
	for id := connectScreen; id < numScreens; id++ {
		m, _ := openScreen(t, id, 60, 15)
		failedCall(m)
		m.Update(nil)
		before := keyStates(m)
		// changed behind the root's back
		m.banners[id], m.retry[id] = "the API did not answer in time", true
		m.c.sess.grantOK = !m.c.sess.grantOK
		lg := m.screens[loginScreen].(*login)
		lg.done = !lg.done
		m.View()
		m.View()
		if after := keyStates(m); after != before {
			t.Errorf("%s: View changed key states or offsets:\n before %s\n after  %s", id, before, after)
		}
		m.Update(nil)
		if keyStates(m) == before {
			t.Errorf("%s: Update did not set the key states for the changed state", id)
		}
	}
}
