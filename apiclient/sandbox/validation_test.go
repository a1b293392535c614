package sandbox

import (
	"fmt"
	"strings"
	"testing"
)

func TestValidation(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "val-user", "val-key")
	other := newFixture(t, r, "val-user-2", "val-key-2")
	to := `[{"address":"` + f.user + `","quantity":"1"}]`
	sendBody := func(chain, from, recipients string) string {
		return `{"chainId":` + chain + `,"from":"` + from + `","recipients":` + recipients + `}`
	}
	grantBody := func(fields string) string {
		return `{"chainId":84532,"sessionKeyAddress":"` + f.sessionKey + `"` + fields + `}`
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = `{"address":"` + f.user + `","quantity":"0"}`
	}
	token := r.Chains()
	_ = token

	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		want             string
	}{
		{"malformed json", "/wallets/send", `{"chainId":84532,`, f.sessionHeaders(), 400, "invalid JSON body"},
		{"2 MiB body", "/wallets/send", `{"chainId":84532,"from":"` + strings.Repeat("a", 2<<20) + `"}`, f.sessionHeaders(), 413, "larger than 1048576 bytes"},
		{"empty body", "/wallets/send", ``, f.sessionHeaders(), 400, "body is empty"},
		{"trailing data", "/wallets/send", sendBody("84532", f.sessionKey, to) + `{}`, f.sessionHeaders(), 400, "after the JSON object"},
		{"chainId of wrong type", "/wallets/send", sendBody(`"abc"`, f.sessionKey, to), f.sessionHeaders(), 400, "chainId"},
		{"chainId zero", "/wallets/send", sendBody("0", f.sessionKey, to), f.sessionHeaders(), 400, "chainId is required"},
		{"chainId negative", "/wallets/send", sendBody("-5", f.sessionKey, to), f.sessionHeaders(), 400, "chainId"},
		{"chainId fraction", "/wallets/send", sendBody("1.5", f.sessionKey, to), f.sessionHeaders(), 400, "chainId"},
		{"recipients of wrong type", "/wallets/send", sendBody("84532", f.sessionKey, `"x"`), f.sessionHeaders(), 400, "recipients"},
		{"no recipients", "/wallets/send", sendBody("84532", f.sessionKey, `[]`), f.sessionHeaders(), 400, "recipients is required"},
		{"101 recipients", "/wallets/send", sendBody("84532", f.sessionKey, "["+strings.Join(many, ",")+"]"), f.sessionHeaders(), 400, "at most 100"},
		{"bad recipient address", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"0x1234","quantity":"1"}]`), f.sessionHeaders(), 400, "recipients[0].address"},
		{"ENS recipient", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"vitalik.eth","quantity":"1"}]`), f.sessionHeaders(), 400, "ENS"},
		{"bad checksum", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"`+badChecksum(f.user)+`","quantity":"1"}]`), f.sessionHeaders(), 400, "checksum"},
		{"negative quantity", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"`+f.user+`","quantity":"-1"}]`), f.sessionHeaders(), 400, "negative"},
		{"fractional quantity", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"`+f.user+`","quantity":"0.5"}]`), f.sessionHeaders(), 400, "whole"},
		{"missing quantity", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"`+f.user+`"}]`), f.sessionHeaders(), 400, "quantity is required"},
		{"from not the session key", "/wallets/send", sendBody("84532", f.user, to), f.sessionHeaders(), 400, "must equal the x-session-key-address"},
		{"one context header only", "/wallets/send", sendBody("84532", f.sessionKey, to), append(f.secret(), "x-account-address", f.user), 400, "together"},
		{"tokenId", "/wallets/send", `{"chainId":84532,"from":"` + f.sessionKey + `","recipients":` + to + `,"tokenId":"1"}`, f.sessionHeaders(), 400, "tokenId"},
		{"token without code", "/wallets/send", `{"chainId":84532,"from":"` + f.sessionKey + `","recipients":` + to + `,"tokenAddress":"0x000000000000000000000000000000000000dEaD"}`, f.sessionHeaders(), 400, "no contract code"},
		{"unknown account", "/wallets/send", sendBody("84532", f.sessionKey, to), append(f.secret(), "x-account-address", "0x000000000000000000000000000000000000dEaD", "x-session-key-address", f.sessionKey), 404, "not a user"},
		{"unknown session key", "/wallets/send", sendBody("84532", "0x000000000000000000000000000000000000dEaD", to), append(f.secret(), "x-account-address", f.user, "x-session-key-address", "0x000000000000000000000000000000000000dEaD"), 400, "not a server wallet"},
		{"direct from unknown wallet", "/wallets/send", sendBody("84532", "0x000000000000000000000000000000000000dEaD", to), f.secret(), 400, "not a wallet this sandbox holds"},
		{"direct without from", "/wallets/send", `{"chainId":84532,"recipients":` + to + `}`, f.secret(), 400, "from is required"},
		{"insufficient funds", "/wallets/send", sendBody("84532", f.sessionKey, `[{"address":"`+f.user+`","quantity":"1000000000000000000000000"}]`), f.sessionHeaders(), 400, "insufficient funds"},

		{"duration zero", "/wallets/create-session-key", grantBody(`,"durationInSeconds":0`), f.userHeaders(), 400, "durationInSeconds must be > 0"},
		{"duration missing", "/wallets/create-session-key", grantBody(``), f.userHeaders(), 400, "durationInSeconds must be > 0"},
		{"duration over a year", "/wallets/create-session-key", grantBody(`,"durationInSeconds":31536001`), f.userHeaders(), 400, "365 days"},
		{"grant unknown chain", "/wallets/create-session-key", `{"chainId":0,"sessionKeyAddress":"` + f.sessionKey + `","durationInSeconds":60}`, f.userHeaders(), 400, "chainId"},
		{"grant to a non-server wallet", "/wallets/create-session-key", `{"chainId":84532,"sessionKeyAddress":"` + other.user + `","durationInSeconds":60}`, f.userHeaders(), 400, "not a server wallet"},
		{"grant bad selector", "/wallets/create-session-key", grantBody(`,"durationInSeconds":60,"grantFullPermissions":false,"callPolicies":[{"target":"` + f.user + `","selector":"0xa9059c"}]`), f.userHeaders(), 400, "callPolicies[0].selector"},
		{"grant bad refValue", "/wallets/create-session-key", grantBody(`,"durationInSeconds":60,"grantFullPermissions":false,"callPolicies":[{"target":"` + f.user + `","selector":"0xa9059cbb","constraints":[{"condition":1,"index":0,"refValue":"0x12"}]}]`), f.userHeaders(), 400, "constraints[0].refValue"},
		{"grant bad condition", "/wallets/create-session-key", grantBody(`,"durationInSeconds":60,"grantFullPermissions":false,"callPolicies":[{"target":"` + f.user + `","selector":"0xa9059cbb","constraints":[{"condition":7,"index":0}]}]`), f.userHeaders(), 400, "condition 7"},
		{"grant bad limitType", "/wallets/create-session-key", grantBody(`,"durationInSeconds":60,"grantFullPermissions":false,"transferPolicies":[{"target":"` + f.user + `","valueLimit":{"limitType":3,"limit":"1","period":"0"}}]`), f.userHeaders(), 400, "limitType 3"},
		{"grant allowance without period", "/wallets/create-session-key", grantBody(`,"durationInSeconds":60,"grantFullPermissions":false,"transferPolicies":[{"target":"` + f.user + `","valueLimit":{"limitType":2,"limit":"1","period":"0"}}]`), f.userHeaders(), 400, "period must be > 0"},
		{"grant bad policy target", "/wallets/create-session-key", grantBody(`,"durationInSeconds":60,"grantFullPermissions":false,"transferPolicies":[{"target":"0xnope"}]`), f.userHeaders(), 400, "transferPolicies[0].target"},

		{"write without code", "/contracts/write", `{"chainId":84532,"calls":[{"contractAddress":"0x000000000000000000000000000000000000dEaD","method":"function transfer(address to, uint256 amount)","params":["` + f.user + `","1"]}]}`, f.sessionHeaders(), 404, "no contract code"},
		{"write bad method", "/contracts/write", `{"chainId":84532,"calls":[{"contractAddress":"` + tokenAddr(r) + `","method":"transfer"}]}`, f.sessionHeaders(), 400, "calls[0].method"},
		{"write wrong param count", "/contracts/write", `{"chainId":84532,"calls":[{"contractAddress":"` + tokenAddr(r) + `","method":"transfer(address,uint256)","params":["` + f.user + `"]}]}`, f.sessionHeaders(), 400, "takes 2 parameter(s), got 1"},
		{"write bad param", "/contracts/write", `{"chainId":84532,"calls":[{"contractAddress":"` + tokenAddr(r) + `","method":"transfer(address,uint256)","params":["` + f.user + `","x"]}]}`, f.sessionHeaders(), 400, "params[1] (uint256)"},
		{"write no calls", "/contracts/write", `{"chainId":84532,"calls":[]}`, f.sessionHeaders(), 400, "calls is required"},
		{"write insufficient value", "/contracts/write", `{"chainId":84532,"calls":[{"contractAddress":"` + tokenAddr(r) + `","method":"transfer(address,uint256)","params":["` + f.user + `","1"],"value":"1000000000000000000000000"}]}`, f.sessionHeaders(), 402, "insufficient funds"},

		{"advance-time zero", "/sandbox/advance-time", `{"chainId":84532,"seconds":0}`, f.secret(), 400, "seconds"},
		{"advance-time no chain", "/sandbox/advance-time", `{"seconds":5}`, f.secret(), 400, "chainId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, "POST", f.url(c.path), c.body, c.headers...)
			expect(t, res, c.status, c.want)
			if testing.Verbose() {
				t.Logf("%d %s", res.status, res.body)
			}
		})
	}

	gets := []struct {
		name, path string
		status     int
		want       string
	}{
		{"unknown tx", "/transactions/00000000-0000-4000-8000-000000000000", 404, "not found"},
		{"unknown route", "/nope", 404, "no route"},
		{"wrong method", "/auth/complete", 405, "not allowed"},
		{"balance bad address", "/wallets/0x12/balance?chainId=84532", 400, "address"},
		{"balance ENS", "/wallets/vitalik.eth/balance?chainId=84532", 400, "ENS"},
		{"balance no chain", "/wallets/" + f.user + "/balance", 400, "chainId is required"},
		{"balance chain abc", "/wallets/" + f.user + "/balance?chainId=abc", 400, "positive integer"},
		{"balance chain 0", "/wallets/" + f.user + "/balance?chainId=0", 400, "positive integer"},
		{"balance 51 chains", "/wallets/" + f.user + "/balance" + strings.Repeat("&chainId=1", 51)[0:0] + "?" + strings.TrimPrefix(strings.Repeat("&chainId=84532", 51), "&"), 400, "at most 50"},
		{"list limit 0", "/wallets/server?limit=0", 400, "limit"},
		{"list limit 101", "/transactions?limit=101", 400, "limit"},
		{"list page 0", "/transactions?page=0", 400, "page"},
		{"list bad from", "/transactions?from=bob.eth", 400, "ENS"},
		{"session bad chain", "/sandbox/sessions/" + f.user + "/" + f.sessionKey + "?chainId=-1", 400, "chainId"},
	}
	for _, c := range gets {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, "GET", f.url(c.path), "", "x-secret-key", r.SecretKey())
			expect(t, res, c.status, c.want)
			if testing.Verbose() {
				t.Logf("%d %s", res.status, res.body)
			}
		})
	}
}

func tokenAddr(r *Running) string {
	c, err := r.Chains().Get(DefaultChainID)
	if err != nil {
		panic(err)
	}
	return c.Token().Hex()
}

// badChecksum flips the case of one letter of a checksummed address.
func badChecksum(a string) string {
	b := []byte(a)
	for i := 2; i < len(b); i++ {
		switch {
		case b[i] >= 'a' && b[i] <= 'f':
			b[i] -= 32
			return string(b)
		case b[i] >= 'A' && b[i] <= 'F':
			b[i] += 32
			return string(b)
		}
	}
	panic(fmt.Sprintf("no letter in %s", a))
}
