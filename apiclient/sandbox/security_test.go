package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
)

// TestGuestRecordsArePrivate: transaction records (accounts, session keys,
// timestamps, calldata) are shown to the secret key, or to a user for that
// user's own records; the public client ID alone reads none.
func TestGuestRecordsArePrivate(t *testing.T) {
	r := start(t, Options{})
	a := newFixture(t, r, "victim", "victim-key")
	b := newFixture(t, r, "attacker", "attacker-key")
	aGrant := a.grant(t, `"durationInSeconds":600,"grantFullPermissions":true`)
	bGrant := b.grant(t, `"durationInSeconds":600,"grantFullPermissions":true`)
	aSend := a.writeIDs(t, "/wallets/send", `{"chainId":84532,"from":"`+a.sessionKey+`","recipients":[{"address":"`+a.user+`","quantity":"0"}]}`, a.sessionHeaders())[0]
	a.wait(t, aSend)

	clientOnly := []string{"x-client-id", r.ClientID()}
	cases := []struct {
		name, path string
		headers    []string
		status     int
		want       string
	}{
		{"list with client id only", "/transactions", clientOnly, 401, "x-client-id alone is not enough"},
		{"record with client id only", "/transactions/" + aSend, clientOnly, 401, "x-secret-key (server side) or the user's token"},
		{"filtered list with client id only", "/transactions?from=" + a.user, clientOnly, 401, "x-client-id alone is not enough"},
		{"other user's record with a token", "/transactions/" + aSend, b.userHeaders(), 403, "reads only their own records"},
		{"other user's grant with a token", "/transactions/" + aGrant.ID, b.userHeaders(), 403, "reads only their own records"},
		{"record with a token but no client id", "/transactions/" + aSend, []string{"Authorization", "Bearer " + a.token}, 401, "x-client-id header is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, "GET", a.url(c.path), "", c.headers...)
			expect(t, res, c.status, c.want)
			if strings.Contains(string(res.body), a.user) {
				t.Errorf("refusal leaks the victim's account: %s", res.body)
			}
		})
	}

	ids := func(headers []string, q string) []string {
		res := do(t, "GET", a.url("/transactions"+q), "", headers...)
		var l apiclient.TransactionList
		res.result(t, &l)
		var out []string
		for _, tx := range l.Transactions {
			out = append(out, tx.ID)
		}
		return out
	}
	if got := ids(b.userHeaders(), ""); !slices.Equal(got, []string{bGrant.ID}) {
		t.Errorf("attacker's token lists %v, want only its own grant %s", got, bGrant.ID)
	}
	if got := ids(b.userHeaders(), "?from="+a.user); len(got) != 0 {
		t.Errorf("attacker's token filtered by the victim lists %v", got)
	}
	if got := ids(a.userHeaders(), ""); !slices.Equal(got, []string{aSend, aGrant.ID}) {
		t.Errorf("victim's token lists %v, want [%s %s]", got, aSend, aGrant.ID)
	}
	if got := ids([]string{"x-secret-key", r.SecretKey()}, ""); len(got) != 3 {
		t.Errorf("secret key lists %v, want all 3", got)
	}
	if res := do(t, "GET", a.url("/transactions/"+aSend), "", a.userHeaders()...); res.status != 200 {
		t.Errorf("own record with own token: %d %s", res.status, res.body)
	}
}

// TestSecretAloneCannotActAsUser: without session headers, from must be a
// server wallet; a user's wallet needs that user's token.
func TestSecretAloneCannotActAsUser(t *testing.T) {
	r := start(t, Options{})
	a := newFixture(t, r, "sec-victim", "sec-key")
	b := newFixture(t, r, "sec-other", "sec-key-2")
	dest := "0x00000000000000000000000000000000000000AA"
	send := func(from string) string {
		return `{"chainId":84532,"from":"` + from + `","recipients":[{"address":"` + dest + `","quantity":"1"}]}`
	}
	write := func(from string) string {
		return `{"chainId":84532,"from":"` + from + `","calls":[{"contractAddress":"` + tokenAddr(r) +
			`","method":"function transfer(address to, uint256 amount)","params":["` + dest + `","1"]}]}`
	}
	bearer := func(f fixture) []string { return append(f.secret(), "Authorization", "Bearer "+f.token) }
	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		want             string
	}{
		{"send from a user with the secret alone", "/wallets/send", send(a.user), a.secret(), 403, "with x-secret-key alone, from must be a server wallet"},
		{"write from a user with the secret alone", "/contracts/write", write(a.user), a.secret(), 403, "with x-secret-key alone, from must be a server wallet"},
		{"send from a user with another user's token", "/wallets/send", send(a.user), bearer(b), 403, "acts only for that user"},
		{"write from a user with a bad token", "/contracts/write", write(a.user), append(a.secret(), "Authorization", "Bearer x.y.z"), 401, "token"},
		{"send from a user with the user's token", "/wallets/send", send(a.user), bearer(a), 200, ""},
		{"write from a user with the user's token", "/contracts/write", write(a.user), bearer(a), 200, ""},
		{"send from a server wallet with the secret", "/wallets/send", send(a.sessionKey), a.secret(), 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, "POST", a.url(c.path), c.body, c.headers...)
			if c.status == 200 {
				if res.status != 200 {
					t.Fatalf("%d %s", res.status, res.body)
				}
				var ids apiclient.TransactionIDs
				res.result(t, &ids)
				wantConfirmed(t, a.wait(t, ids.TransactionIDs[0]))
				return
			}
			expect(t, res, c.status, c.want)
		})
	}
}

// TestPoliciesWithoutFlag: policies with grantFullPermissions absent or null
// are refused (the SDK would grant everything); no policies and no flag is
// the seed's full grant.
func TestPoliciesWithoutFlag(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "flag-user", "flag-key")
	pol := `"transferPolicies":[{"target":"0x00000000000000000000000000000000000000A1","maxValuePerUse":"1"}]`
	call := `"callPolicies":[{"target":"` + tokenAddr(r) + `","selector":"0xa9059cbb"}]`
	for _, c := range []struct{ name, fields string }{
		{"transfer policies, flag absent", pol},
		{"transfer policies, flag null", `"grantFullPermissions":null,` + pol},
		{"call policies, flag absent", call},
		{"both, flag null", `"grantFullPermissions":null,` + call + `,` + pol},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := `{"chainId":84532,"sessionKeyAddress":"` + f.sessionKey + `","durationInSeconds":600,` + c.fields + `}`
			res := do(t, "POST", f.url("/wallets/create-session-key"), body, f.userHeaders()...)
			expect(t, res, 400, "grantFullPermissions ?? true")
			expect(t, res, 400, `"grantFullPermissions": false`)
		})
	}
	// No policies, no flag: full permissions, as the seed's request.
	wantConfirmed(t, f.grant(t, `"durationInSeconds":600`))
	res := do(t, "GET", f.url("/sandbox/sessions/"+f.user+"/"+f.sessionKey), "", "x-client-id", r.ClientID())
	var si apiclient.SessionInfo
	res.result(t, &si)
	if !si.IsWildcard {
		t.Errorf("no policies, no flag: %s", res.body)
	}
}

// TestSelfDefeatingPolicies: scoped policies that would escalate or never
// apply are refused, naming the policy.
func TestSelfDefeatingPolicies(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "defeat-user", "defeat-key")
	tok := tokenAddr(r)
	cp := func(target, selector string) string {
		return `{"target":"` + target + `","selector":"` + selector + `"}`
	}
	tp := func(target string) string { return `{"target":"` + target + `","maxValuePerUse":"1"}` }
	execSel := "0x3f707e6b" // any selector: a policy on the account itself is refused whatever it names
	other := "0x00000000000000000000000000000000000000A1"
	cases := []struct{ name, fields, want string }{
		{"call policy on the user's own account", `"callPolicies":[` + cp(f.user, execSel) + `]`, "callPolicies[0].target " + f.user + " is the user's own account"},
		{"call policy on the account implementation", `"callPolicies":[` + cp(tok, "0xa9059cbb") + `,` + cp(chain.AccountImplAddress.Hex(), execSel) + `]`, "callPolicies[1].target " + chain.AccountImplAddress.Hex() + " is the account implementation"},
		{"duplicate target and selector", `"callPolicies":[` + cp(tok, "0xa9059cbb") + `,` + cp(tok, "0x095ea7b3") + `,` + cp(strings.ToLower(tok), "0xA9059CBB") + `]`, "callPolicies[2] repeats target " + tok + " and selector 0xa9059cbb of callPolicies[0]"},
		{"duplicate transfer target", `"transferPolicies":[` + tp(other) + `,` + tp(other) + `]`, "transferPolicies[1] repeats target " + other},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := `{"chainId":84532,"sessionKeyAddress":"` + f.sessionKey + `","durationInSeconds":600,"grantFullPermissions":false,` + c.fields + `}`
			expect(t, do(t, "POST", f.url("/wallets/create-session-key"), body, f.userHeaders()...), 400, c.want)
		})
	}
	// The same token, distinct selectors: fine.
	wantConfirmed(t, f.grant(t, `"durationInSeconds":600,"grantFullPermissions":false,"callPolicies":[`+cp(tok, "0xa9059cbb")+`,`+cp(tok, "0x095ea7b3")+`]`))
}

// TestShortCalldataRefused: 1–3 bytes of calldata would pass the account's
// transfer policies as a plain transfer; every write path refuses it.
func TestShortCalldataRefused(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "short-user", "short-key")
	c, _ := r.Chains().Lookup(DefaultChainID)
	req := httptest.NewRequest("POST", "/v1/wallets/send", nil)
	req.Header.Set("x-secret-key", r.SecretKey())
	req.Header.Set("x-account-address", f.user)
	req.Header.Set("x-session-key-address", f.sessionKey)
	to := c.Token()
	for _, n := range []int{1, 2, 3} {
		_, err := r.queueWrites(req, c, f.sessionKey, []chain.Call{{To: to, Value: new(big.Int)}, {To: to, Value: new(big.Int), Data: make([]byte, n)}}, nil, nil, 400)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != 400 || !strings.Contains(ae.Message, fmt.Sprintf("call 1: calldata of %d byte(s)", n)) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
	if l := r.txs.list(nil); len(l) != 0 {
		t.Errorf("refused writes left records: %+v", l)
	}
}

// TestReadsDoNotStartChains: a client-ID-only read never starts a chain; the
// secret key (and a user's grant) may.
func TestReadsDoNotStartChains(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "chains-user", "chains-key")
	client := []string{"x-client-id", r.ClientID()}
	for _, c := range []struct{ name, path string }{
		{"balance", "/wallets/" + f.user + "/balance?chainId=31337"},
		{"balance among running", "/wallets/" + f.user + "/balance?chainId=84532&chainId=31337"},
		{"session read-back", "/sandbox/sessions/" + f.user + "/" + f.sessionKey + "?chainId=31337"},
	} {
		t.Run(c.name, func(t *testing.T) {
			expect(t, do(t, "GET", f.url(c.path), "", client...), 400, "chain 31337 is not running in this sandbox (running: [84532])")
		})
	}
	if got := r.Chains().Chains(); !slices.Equal(got, []uint64{84532}) {
		t.Fatalf("client-ID reads started chains: %v", got)
	}
	if res := do(t, "GET", f.url("/wallets/"+f.user+"/balance?chainId=31337"), "", "x-secret-key", r.SecretKey()); res.status != 200 {
		t.Fatalf("secret read: %d %s", res.status, res.body)
	}
	body := `{"chainId":777,"sessionKeyAddress":"` + f.sessionKey + `","durationInSeconds":60}`
	if res := do(t, "POST", f.url("/wallets/create-session-key"), body, f.userHeaders()...); res.status != 200 {
		t.Fatalf("grant on a new chain: %d %s", res.status, res.body)
	}
	if got := r.Chains().Chains(); !slices.Equal(got, []uint64{777, 31337, 84532}) {
		t.Errorf("chains %v", got)
	}
	// Now running, the client ID reads it.
	if res := do(t, "GET", f.url("/wallets/"+f.user+"/balance?chainId=31337"), "", client...); res.status != 200 {
		t.Errorf("client-ID read of a running chain: %d %s", res.status, res.body)
	}
}

// TestChainCapUnderConcurrentFirstUse: 200 concurrent first uses of new
// chain IDs start at most the cap; the rest get 400 naming the limit.
func TestChainCapUnderConcurrentFirstUse(t *testing.T) {
	const maxChains, n = 4, 200
	r := start(t, Options{MaxChains: maxChains})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	var bad []string
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fmt.Sprintf("%s/wallets/0x00000000000000000000000000000000000000a7/balance?chainId=%d", r.BaseURL, 1000+i)
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set("x-secret-key", r.SecretKey())
			res, err := client.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				bad = append(bad, err.Error())
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			statuses[res.StatusCode]++
			if res.StatusCode != 200 && !strings.Contains(string(b), fmt.Sprintf("maximum of %d chains", maxChains)) {
				bad = append(bad, fmt.Sprintf("%d %s", res.StatusCode, b))
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("%d unexpected answers, e.g. %s", len(bad), bad[0])
	}
	if got := len(r.Chains().Chains()); got > maxChains {
		t.Errorf("%d chains running, cap %d", got, maxChains)
	}
	if statuses[200] != maxChains-1 || statuses[400] != n-(maxChains-1) {
		t.Errorf("statuses %v, want %d×200 (the default chain is the cap's first) and the rest 400", statuses, maxChains-1)
	}
}

// doHost is do with a Host header of choice.
func doHost(t *testing.T, method, url, host string, headers ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// TestBrowserOriginsAndHosts: CORS admits loopback origins and the listed
// ones only; a Host that is not a loopback name is refused (DNS rebinding).
func TestBrowserOriginsAndHosts(t *testing.T) {
	r := start(t, Options{CORSOrigins: []string{"https://demo.example:8443", "null"}})
	url := r.BaseURL + "/sandbox/info"
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(r.BaseURL, "/v1"), "http://"))
	origins := []struct {
		origin string
		ok     bool
	}{
		{"http://localhost:3000", true},
		{"http://127.0.0.1:1", true},
		{"https://localhost", true},
		{"http://[::1]:8080", true},
		{"https://demo.example:8443", true},
		{"null", true},
		{"https://demo.example", false},
		{"http://demo.example:8443", false},
		{"http://evil.example", false},
		{"http://localhost.evil.example:3000", false},
		{"http://127.0.0.1.nip.io", false},
		{"file://", false},
	}
	for _, o := range origins {
		t.Run("origin "+o.origin, func(t *testing.T) {
			pre := doHost(t, "OPTIONS", url, "127.0.0.1:"+port, "Origin", o.origin, "Access-Control-Request-Method", "GET")
			get := doHost(t, "GET", url, "127.0.0.1:"+port, "Origin", o.origin, "x-client-id", r.ClientID())
			if o.ok {
				if pre.status != 204 || get.status != 200 || get.header.Get("Access-Control-Allow-Origin") != o.origin {
					t.Errorf("allowed origin: preflight %d, GET %d, ACAO %q", pre.status, get.status, get.header.Get("Access-Control-Allow-Origin"))
				}
				return
			}
			for _, res := range []resp{pre, get} {
				expect(t, res, 403, "may not use this sandbox")
				if res.header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("refused origin got ACAO %q", res.header.Get("Access-Control-Allow-Origin"))
				}
			}
		})
	}
	hosts := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + port, true},
		{"localhost:" + port, true},
		{"LOCALHOST", true},
		{"[::1]:" + port, true},
		{"127.0.0.2:" + port, true},
		{"evil.example:" + port, false},
		{"localhost.evil.example:" + port, false},
		{"127.0.0.1.nip.io:" + port, false},
		{"0.0.0.0:" + port, false},
		{"192.168.1.10:" + port, false},
	}
	for _, h := range hosts {
		t.Run("host "+h.host, func(t *testing.T) {
			res := doHost(t, "GET", url, h.host, "x-client-id", r.ClientID())
			if h.ok {
				if res.status != 200 {
					t.Errorf("loopback host: %d %s", res.status, res.body)
				}
				return
			}
			expect(t, res, http.StatusMisdirectedRequest, "is not a loopback name")
		})
	}

	for _, bad := range []string{"*", "ftp://x.example", "https://x.example/path", "https://", "x.example"} {
		if _, err := New(Options{CORSOrigins: []string{bad}}); err == nil || !strings.Contains(err.Error(), "CORS origin") {
			t.Errorf("CORSOrigins %q: %v", bad, err)
		}
	}
}

// TestHugeArrayMethodRefused: a method whose types would need terabytes is
// refused before anything is allocated (this request used to kill the
// process with "fatal error: runtime: out of memory").
func TestHugeArrayMethodRefused(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "oom-user", "oom-key")
	for _, c := range []struct{ method, params, want string }{
		{"function f(uint256[1099511627776][] a)", `[[["1"]]]`, "array size 1099511627776 is out of range"},
		{"f(uint256[1099511627776] a)", `[[]]`, "array size 1099511627776 is out of range"},
		{"f(bytes32[65536][65536])", `[[]]`, "more than 65536 values"},
		{"f(uint8[][][][][])", `[[]]`, "arrays nested more than 4 deep"},
		{"f(uint256[0])", `[[]]`, "array size 0 is out of range"},
	} {
		t.Run(c.method, func(t *testing.T) {
			body := `{"chainId":84532,"from":"` + f.sessionKey + `","calls":[{"contractAddress":"` + tokenAddr(r) + `","method":"` + c.method + `","params":` + c.params + `}]}`
			expect(t, do(t, "POST", f.url("/contracts/write"), body, f.sessionHeaders()...), 400, c.want)
		})
	}
}

// TestExponentBounded: exponent numbers beyond ±100 are refused, naming the
// field, before any big-number work; ordinary exponent forms still work.
func TestExponentBounded(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "exp-user", "exp-key")
	wantConfirmed(t, f.grant(t, `"durationInSeconds":600,"grantFullPermissions":true`))
	send := func(q string) string {
		return `{"chainId":84532,"from":"` + f.sessionKey + `","recipients":[{"address":"` + f.user + `","quantity":` + q + `}]}`
	}
	write := func(p string) string {
		return `{"chainId":84532,"calls":[{"contractAddress":"` + tokenAddr(r) + `","method":"transfer(address,uint256)","params":["` + f.user + `",` + p + `]}]}`
	}
	grant := func(v string) string {
		return `{"chainId":84532,"sessionKeyAddress":"` + f.sessionKey + `","durationInSeconds":60,"grantFullPermissions":false,"transferPolicies":[{"target":"` + f.user + `","maxValuePerUse":` + v + `}]}`
	}
	cases := []struct {
		name, path, body string
		headers          []string
		want             string
	}{
		{"quantity number", "/wallets/send", send(`1e999999`), f.sessionHeaders(), "field recipients[0].quantity: number 1e999999 has an exponent beyond ±100"},
		{"quantity string", "/wallets/send", send(`"1E+999999"`), f.sessionHeaders(), "field recipients[0].quantity"},
		{"quantity negative exponent", "/wallets/send", send(`"1e-999999"`), f.sessionHeaders(), "exponent beyond ±100"},
		{"quantity huge exponent digits", "/wallets/send", send(`"1e99999999999999999999"`), f.sessionHeaders(), "exponent beyond ±100"},
		{"chainId", "/wallets/send", `{"chainId":1e999999,"recipients":[]}`, f.sessionHeaders(), "field chainId: number 1e999999"},
		{"contract param string", "/contracts/write", write(`"1e999999"`), f.sessionHeaders(), "field calls[0].params[1]"},
		{"contract param number", "/contracts/write", write(`1e999999`), f.sessionHeaders(), "field calls[0].params[1]"},
		{"policy maxValuePerUse", "/wallets/create-session-key", grant(`"1e999999"`), f.userHeaders(), "field transferPolicies[0].maxValuePerUse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, do(t, "POST", f.url(c.path), c.body, c.headers...), 400, c.want)
		})
	}
	// 1e3 wei, as a number and a string, still goes through.
	for _, q := range []string{`1e3`, `"1e+3"`} {
		wantConfirmed(t, f.wait(t, f.writeIDs(t, "/wallets/send", send(q), f.sessionHeaders())[0]))
	}
	// A name that happens to look like an exponent is not a number.
	if res := do(t, "POST", f.url("/wallets/server"), `{"identifier":"1e999999"}`, f.secret()...); res.status != 200 {
		t.Errorf("identifier 1e999999: %d %s", res.status, res.body)
	}
}

// TestServerTimeouts: the server bounds every phase of a connection, and a
// client trickling its body is cut off instead of holding the connection.
func TestServerTimeouts(t *testing.T) {
	old := readTimeout
	readTimeout = 500 * time.Millisecond
	defer func() { readTimeout = old }()
	r := start(t, Options{})
	srv := r.srv
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("server limits: header %v, read %v, write %v, idle %v, max header bytes %d",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}

	addr := strings.TrimSuffix(strings.TrimPrefix(r.BaseURL, "http://"), "/v1")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const bodyLen = 400
	fmt.Fprintf(conn, "POST /v1/auth/complete HTTP/1.1\r\nHost: %s\r\nx-client-id: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", addr, r.ClientID(), bodyLen)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := make(chan int, 1)
	go func() {
		n := 1
		defer func() { sent <- n }()
		for ; n < bodyLen; n++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond): // the whole body would take 20 s
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	cancel()
	if err != nil {
		t.Fatalf("no answer to a trickled body: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if n := <-sent; n >= bodyLen {
		t.Fatalf("the whole trickled body was read (%d bytes)", n)
	}
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "arrived too slowly") {
		t.Errorf("trickled body: %d %s", res.StatusCode, b)
	}
	if strings.Contains(string(b), "i/o timeout") || strings.Contains(string(b), "tcp") {
		t.Errorf("answer shows Go internals: %s", b)
	}
	// The server closes the connection after it.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Errorf("connection still open after the timeout answer")
	}
}
