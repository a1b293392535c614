package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"walletconsole/apiclient"
)

// Fuzz targets. `go test` runs their seeds; explore with e.g.
//
//	go test -run '^$' -fuzz FuzzHandlerJSON -fuzztime 60s ./apiclient/sandbox/

// fuzzServer is one sandbox for every fuzz input: a guest user (its token
// authorises grants) and no server wallet, so no input can name a signer and
// nothing is ever queued; MaxChains 1 keeps inputs from starting chains.
func fuzzServer(f *testing.F) (*Server, string) {
	s, err := New(Options{BlockTime: MineOnDemand, MaxChains: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	u, _, err := s.wallets.getOrCreate(kindGuest, "fuzz", s.now())
	if err != nil {
		f.Fatal(err)
	}
	tok, _, err := s.issueToken(u.addr)
	if err != nil {
		f.Fatal(err)
	}
	return s, tok
}

func addBodySeeds(f *testing.F) {
	for _, s := range []string{
		`{"chainId":84532,"from":"0x000000000000000000000000000000000000dEaD","recipients":[{"address":"0x000000000000000000000000000000000000dEaD","quantity":"1"}]}`,
		`{"chainId":84532,"calls":[{"contractAddress":"0x000000000000000000000000000000000000dEaD","method":"function transfer(address to, uint256 amount)","params":["0x000000000000000000000000000000000000dEaD","1e3"]}]}`,
		`{"chainId":84532,"sessionKeyAddress":"0x000000000000000000000000000000000000dEaD","durationInSeconds":60,"grantFullPermissions":false,"callPolicies":[{"target":"0x000000000000000000000000000000000000dEaD","selector":"0xa9059cbb","constraints":[{"condition":1,"index":0,"refValue":"0x00"}]}]}`,
		`{"chainId":1e999999}`, `{"recipients":[{"quantity":"1e-99999"}]}`, `{"a":{"b":[1,{"c":"1e400"}]}}`,
		`{"chainId":84532,`, ``, `[]`, `null`, `{"chainId":"abc"}`, `{"chainId":-1}`, `{} {}`, "{\"quantity\":\"\x1b]0;x\x07\"}",
		`{"calls":[{"method":"f(uint256[1099511627776][] a)","params":[[["1"]]]}]}`,
	} {
		f.Add(s)
	}
}

// FuzzDecodeBody: decodeBody into every request type never panics and
// refuses with a 4xx naming the problem.
func FuzzDecodeBody(f *testing.F) {
	addBodySeeds(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&apiclient.SendRequest{}, &apiclient.ContractWriteRequest{}, &apiclient.CreateSessionKeyRequest{}, &apiclient.AuthCompleteRequest{}, &apiclient.AdvanceTimeRequest{}} {
			r := httptest.NewRequest("POST", "/v1/x", strings.NewReader(body))
			err := decodeBody(httptest.NewRecorder(), r, v)
			if err == nil {
				continue
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status < 400 || ae.Status > 499 || ae.Message == "" {
				t.Fatalf("decodeBody(%q) into %T: %#v", body, v, err)
			}
		}
	})
}

// FuzzHandlerJSON: the write handlers, through the whole HTTP stack with
// valid credentials, answer every body with JSON: a result or a 4xx error,
// never a 5xx or a panic.
func FuzzHandlerJSON(f *testing.F) {
	addBodySeeds(f)
	s, tok := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, c := range []struct {
			path    string
			headers []string
		}{
			{"/v1/wallets/send", []string{"x-secret-key", s.SecretKey()}},
			{"/v1/contracts/write", []string{"x-secret-key", s.SecretKey()}},
			{"/v1/wallets/create-session-key", []string{"x-client-id", s.ClientID(), "Authorization", "Bearer " + tok}},
			{"/v1/auth/complete", []string{"x-client-id", s.ClientID()}},
		} {
			r := httptest.NewRequest("POST", c.path, strings.NewReader(body))
			for i := 0; i < len(c.headers); i += 2 {
				r.Header.Set(c.headers[i], c.headers[i+1])
			}
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %q: %d %s", c.path, body, w.Code, w.Body)
			}
			var out map[string]json.RawMessage
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("%s %q: not JSON: %s", c.path, body, w.Body)
			}
			if w.Code != http.StatusOK && out["error"] == nil {
				t.Fatalf("%s %q: %d without an error body: %s", c.path, body, w.Code, w.Body)
			}
		}
		if n := len(s.txs.list(nil)); n != 0 {
			t.Fatalf("%q queued %d transactions", body, n)
		}
	})
}

// FuzzParseMethod: parsing any signature and packing any params never
// panics nor allocates beyond the bounds (the packed size follows from
// maxStaticWords and the params' own size).
func FuzzParseMethod(f *testing.F) {
	for _, s := range [][2]string{
		{"function transfer(address to, uint256 amount)", `["0x000000000000000000000000000000000000dEaD","1"]`},
		{"f(uint256[1099511627776][] a)", `[[["1"]]]`},
		{"f(uint8[2][3],bool,bytes32,string,bytes)", `[[["1","2"],["3","4"],["5","6"]],true,"0x` + strings.Repeat("00", 32) + `","s","0x"]`},
		{"f((uint256,(address,bytes4))[] t)", `[[]]`},
		{"f(int8 x)", `["-128"]`},
		{"f(uint256)", `["1e999999"]`},
		{"g(((((((((uint256)))))))))", `[]`},
		{"f(uint256[][][][][])", `[]`},
		{"(", ``}, {"f(", `[]`}, {"f)(", `[]`}, {"", ``},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, sig, params string) {
		m, err := parseMethod(sig)
		if err != nil {
			return
		}
		var ps []any
		dec := json.NewDecoder(strings.NewReader(params))
		dec.UseNumber()
		if dec.Decode(&ps) != nil || len(params) > 1<<16 {
			return
		}
		data, err := m.pack(ps)
		if err != nil {
			return
		}
		if len(data) < 4 || string(data[:4]) != string(m.id) {
			t.Fatalf("%q: packed data lacks the selector", sig)
		}
		if len(data) > 4+32*(maxStaticWords+4*len(params)+64) {
			t.Fatalf("%q with %d bytes of params packed %d bytes", sig, len(params), len(data))
		}
	})
}

// BenchmarkHugeExponentRefusal: the cost of refusing {"quantity":1e999999}
// (docs/security.md quotes it; without the bound the same body cost
// 50–116 ms of big-number work before its 400).
func BenchmarkHugeExponentRefusal(b *testing.B) {
	body := `{"chainId":84532,"recipients":[{"address":"0x000000000000000000000000000000000000dEaD","quantity":1e999999}]}`
	for b.Loop() {
		r := httptest.NewRequest("POST", "/v1/wallets/send", strings.NewReader(body))
		var req apiclient.SendRequest
		if err := decodeBody(httptest.NewRecorder(), r, &req); err == nil {
			b.Fatal("accepted")
		}
	}
}
