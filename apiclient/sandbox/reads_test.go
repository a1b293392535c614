package sandbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
)

func TestUsersAndServerWallets(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "same-session", "wallet-0")

	// Same sessionId: same user, isNewUser false.
	res := do(t, "POST", f.url("/auth/complete"), `{"method":"guest","sessionId":"same-session"}`, "x-client-id", r.ClientID())
	var a apiclient.AuthCompleteResponse
	res.json(t, &a)
	if a.IsNewUser || a.WalletAddress != f.user || a.Token == "" {
		t.Errorf("second login: %s", res.body)
	}
	res = do(t, "GET", f.url("/wallets/me"), "", f.userHeaders()...)
	var me apiclient.Wallet
	res.result(t, &me)
	if me.Address != f.user || len(me.Profiles) != 1 || me.Profiles[0].Type != "guest" || me.Profiles[0].ID != "same-session" || me.CreatedAt == "" {
		t.Errorf("me: %s", res.body)
	}

	// Idempotent identifier.
	res = do(t, "POST", f.url("/wallets/server"), `{"identifier":"wallet-0"}`, f.secret()...)
	var w apiclient.Wallet
	res.result(t, &w)
	if w.Address != f.sessionKey || w.Identifier() != "wallet-0" {
		t.Errorf("repeat server wallet: %s (first %s)", res.body, f.sessionKey)
	}
	for i := 1; i < 6; i++ {
		do(t, "POST", f.url("/wallets/server"), fmt.Sprintf(`{"identifier":"wallet-%d"}`, i), f.secret()...)
	}
	page := func(q string) apiclient.ServerWalletList {
		res := do(t, "GET", f.url("/wallets/server"+q), "", "x-secret-key", r.SecretKey())
		var l apiclient.ServerWalletList
		res.result(t, &l)
		return l
	}
	l := page("?page=2&limit=2")
	if len(l.Wallets) != 2 || l.Wallets[0].Identifier() != "wallet-2" || !*l.Pagination.HasMore || *l.Pagination.TotalCount != 6 || *l.Pagination.Page != 2 || *l.Pagination.Limit != 2 {
		t.Errorf("page 2: %+v", l)
	}
	l = page("?page=3&limit=2")
	if len(l.Wallets) != 2 || *l.Pagination.HasMore {
		t.Errorf("page 3: %+v", l)
	}
	l = page("?page=9")
	if len(l.Wallets) != 0 || *l.Pagination.HasMore || l.Wallets == nil {
		t.Errorf("page 9: %+v", l)
	}
	if l = page(""); len(l.Wallets) != 6 || *l.Pagination.Limit != 20 {
		t.Errorf("default page: %+v", l)
	}
}

func TestBalancesAndInfo(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "bal-user", "bal-key")
	res := do(t, "GET", f.url("/wallets/"+f.user+"/balance?chainId=84532&chainId=31337"), "", "x-secret-key", r.SecretKey())
	var bals []apiclient.Balance
	res.result(t, &bals)
	if len(bals) != 2 || bals[0].ChainID != 84532 || bals[1].ChainID != 31337 {
		t.Fatalf("balances: %s", res.body)
	}
	for _, b := range bals {
		if b.Value != "10000000000000000000" || b.DisplayValue != "10" || b.Symbol != "ETH" || b.Decimals != 18 ||
			b.TokenAddress != "0x0000000000000000000000000000000000000000" || b.Name != "Ether" {
			t.Errorf("balance: %+v", b)
		}
	}
	// tokenAddress 0x0…0 means native ETH.
	res = do(t, "GET", f.url("/wallets/"+f.user+"/balance?chainId=84532&tokenAddress=0x0000000000000000000000000000000000000000"), "", "x-client-id", r.ClientID())
	res.result(t, &bals)
	if len(bals) != 1 || bals[0].Symbol != "ETH" || bals[0].Value != "10000000000000000000" {
		t.Errorf("zero tokenAddress: %s", res.body)
	}
	// An address the sandbox does not hold reads zero and is not funded.
	res = do(t, "GET", f.url("/wallets/0x00000000000000000000000000000000000000a7/balance?chainId=84532"), "", "x-secret-key", r.SecretKey())
	res.result(t, &bals)
	if len(bals) != 1 || bals[0].Value != "0" {
		t.Errorf("stranger balance: %s", res.body)
	}

	res = do(t, "GET", f.url("/sandbox/info"), "", "x-client-id", r.ClientID())
	var info apiclient.SandboxInfo
	res.result(t, &info)
	if info.DefaultChainID != 84532 || len(info.Chains) != 2 || info.TokenSymbol != "TST" || info.TokenAddress != tokenAddr(r) ||
		info.AccountImplAddress == "" || info.FundWei != "10000000000000000000" || info.TokenMint != "1000000000000000000000" || info.Version == "" {
		t.Errorf("info: %s", res.body)
	}
}

func TestTransactionsListAndDirectSends(t *testing.T) {
	r := start(t, Options{})
	f := newFixture(t, r, "list-user", "list-key")
	dest := common.HexToAddress("0x00000000000000000000000000000000000000aa").Hex()
	var ids []string
	for i := 1; i <= 3; i++ {
		// Without context headers the server wallet sends as itself.
		body := fmt.Sprintf(`{"chainId":84532,"from":"%s","recipients":[{"address":"%s","quantity":"%d"}]}`, f.sessionKey, dest, i)
		ids = append(ids, f.writeIDs(t, "/wallets/send", body, f.secret())...)
	}
	// The user too, directly.
	body := fmt.Sprintf(`{"chainId":84532,"from":"%s","recipients":[{"address":"%s","quantity":"4"}]}`, f.user, dest)
	userTx := f.writeIDs(t, "/wallets/send", body, append(f.secret(), "Authorization", "Bearer "+f.token))[0]
	for _, id := range append(ids, userTx) {
		tx := f.wait(t, id)
		wantConfirmed(t, tx)
		var ep apiclient.ExecutionParams7702
		mustUnmarshal(t, tx.ExecutionParams, &ep)
		if ep.SessionKeyAddress != "" || ep.AccountAddress != tx.From {
			t.Errorf("direct executionParams: %s", tx.ExecutionParams)
		}
	}
	res := do(t, "GET", f.url("/wallets/"+dest+"/balance?chainId=84532"), "", "x-client-id", r.ClientID())
	var bals []apiclient.Balance
	res.result(t, &bals)
	if bals[0].Value != "10" {
		t.Errorf("dest balance %s, want 10", bals[0].Value)
	}

	list := func(q string) apiclient.TransactionList {
		res := do(t, "GET", f.url("/transactions"+q), "", "x-secret-key", r.SecretKey())
		var l apiclient.TransactionList
		res.result(t, &l)
		return l
	}
	l := list("?from=" + f.sessionKey)
	if len(l.Transactions) != 3 || *l.Pagination.TotalCount != 3 {
		t.Fatalf("list from session key: %+v", l)
	}
	for i, tx := range l.Transactions {
		if tx.ID != ids[2-i] {
			t.Errorf("list[%d] = %s, want %s (newest first)", i, tx.ID, ids[2-i])
		}
	}
	l = list("?limit=2&page=1")
	if len(l.Transactions) != 2 || l.Transactions[0].ID != userTx || !*l.Pagination.HasMore {
		t.Errorf("page 1 of all: %+v", l)
	}
	l = list("?from=" + f.user)
	if len(l.Transactions) != 1 || l.Transactions[0].ID != userTx {
		t.Errorf("list from user: %+v", l)
	}
}

// TestAccountsRunConcurrently: different accounts do not wait for each other
// (their transactions share a block), the same account runs in order.
func TestAccountsRunConcurrently(t *testing.T) {
	r := start(t, Options{BlockTime: 300 * time.Millisecond})
	f1 := newFixture(t, r, "conc-1", "conc-key-1")
	f2 := newFixture(t, r, "conc-2", "conc-key-2")
	dest := common.HexToAddress("0x00000000000000000000000000000000000000bb").Hex()
	body := func(from string) string {
		return `{"chainId":84532,"from":"` + from + `","recipients":[{"address":"` + dest + `","quantity":"1"},{"address":"` + dest + `","quantity":"2"}]}`
	}
	a := f1.writeIDs(t, "/wallets/send", body(f1.user), append(f1.secret(), "Authorization", "Bearer "+f1.token))
	b := f2.writeIDs(t, "/wallets/send", body(f2.user), append(f2.secret(), "Authorization", "Bearer "+f2.token))
	block := func(f fixture, id string) uint64 {
		tx := f.wait(t, id)
		wantConfirmed(t, tx)
		n, _ := strconv.ParseUint(tx.Block(), 10, 64)
		return n
	}
	a0, a1, b0, b1 := block(f1, a[0]), block(f1, a[1]), block(f2, b[0]), block(f2, b[1])
	// The same account's transactions may share a block, in nonce order.
	after := func(f fixture, first, second string, n0, n1 uint64) bool {
		return n1 > n0 || (n1 == n0 && txIndex(t, r.Server, f.wait(t, second)) > txIndex(t, r.Server, f.wait(t, first)))
	}
	if !after(f1, a[0], a[1], a0, a1) || !after(f2, b[0], b[1], b0, b1) {
		t.Errorf("same account not in order: %d→%d, %d→%d", a0, a1, b0, b1)
	}
	if a0 != b0 {
		t.Errorf("different accounts did not share a block: %d vs %d", a0, b0)
	}
}

// TestCloseFinalisesEverything: Close fails what cannot finish (a grant
// submitted but not mined on an hour-long block time, a send pipelined
// behind it) and leaves no record non-final.
func TestCloseFinalisesEverything(t *testing.T) {
	old := drainTimeout
	drainTimeout = 200 * time.Millisecond
	defer func() { drainTimeout = old }()

	r, err := Listen(context.Background(), "127.0.0.1:0", Options{BlockTime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Funding would wait an hour for a block: make the wallets by hand and
	// mark them funded (grants and session executions are relayer-paid).
	now := time.Now()
	user, _, _ := r.wallets.getOrCreate(kindGuest, "close-user", now)
	key, _, _ := r.wallets.getOrCreate(kindServer, "close-key", now)
	r.wallets.mu.Lock()
	for _, w := range []*wallet{user, key} {
		r.wallets.funds[fundKey{DefaultChainID, w.addr}] = &fundState{done: true}
	}
	r.wallets.mu.Unlock()
	tok, _, err := r.issueToken(user.addr)
	if err != nil {
		t.Fatal(err)
	}
	// A new chain is idle: its first block would be sealed at once. Seal
	// one now (advance-time does), so the next waits the hour.
	c, err := r.Chains().Get(DefaultChainID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AdvanceTime(time.Second); err != nil {
		t.Fatal(err)
	}
	f := fixture{r: r, token: tok, user: user.addr.Hex(), sessionKey: key.addr.Hex()}
	res := do(t, "POST", f.url("/wallets/create-session-key"), `{"chainId":84532,"sessionKeyAddress":"`+f.sessionKey+`","durationInSeconds":60}`, f.userHeaders()...)
	var g apiclient.CreateSessionKeyResponse
	res.json(t, &g)
	grantID, _ := g.ID()
	sendID := f.writeIDs(t, "/wallets/send", `{"chainId":84532,"recipients":[{"address":"`+f.user+`","quantity":"0"}]}`, f.sessionHeaders())[0]

	deadline := time.Now().Add(5 * time.Second)
	for {
		tx, _ := r.txs.get(grantID)
		if tx.Status == apiclient.StatusSubmitted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("grant not submitted: %+v", tx)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The send is the relayer's too: it is pipelined behind the grant
	// (submitted with the next nonce), or still queued.
	if tx, _ := r.txs.get(sendID); tx.Status != apiclient.StatusQueued && tx.Status != apiclient.StatusSubmitted {
		t.Errorf("send before Close: %s, want QUEUED or SUBMITTED behind the grant", tx.Status)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, id := range []string{grantID, sendID} {
		tx, ok := r.txs.get(id)
		if !ok || tx.Status != apiclient.StatusFailed || !strings.Contains(tx.Error(), "sandbox closed") {
			t.Errorf("after Close: %s %s %q", id, tx.Status, tx.Error())
		}
	}
	if tx, _ := r.txs.get(grantID); tx.Hash() == "" {
		t.Errorf("the submitted grant lost its hash")
	}
	if _, err := r.Chains().Get(DefaultChainID); err == nil {
		t.Errorf("chains still open after Close")
	}
}

func TestChainCap(t *testing.T) {
	r := start(t, Options{MaxChains: 2})
	f := fixture{r: r}
	addr := "/wallets/0x00000000000000000000000000000000000000a7/balance"
	if res := do(t, "GET", f.url(addr+"?chainId=31337&chainId=84532"), "", "x-secret-key", r.SecretKey()); res.status != 200 {
		t.Fatalf("second chain: %d %s", res.status, res.body)
	}
	expect(t, do(t, "GET", f.url(addr+"?chainId=5"), "", "x-secret-key", r.SecretKey()), 400, "maximum of 2 chains")
}
