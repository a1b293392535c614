package sandbox

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
)

// txIndex is the position of a confirmed transaction in its block.
func txIndex(t testing.TB, s *Server, tx apiclient.Transaction) uint {
	t.Helper()
	c, ok := s.Chains().Lookup(DefaultChainID)
	if !ok {
		t.Fatal("no default chain")
	}
	rc, err := c.Client().TransactionReceipt(context.Background(), common.HexToHash(tx.Hash()))
	if err != nil {
		t.Fatalf("receipt of %s: %v", tx.ID, err)
	}
	return rc.TransactionIndex
}

// loadResult is what one load run measured.
type loadResult struct {
	ids        []string      // every transaction ID accepted (grants and sends)
	sends      int           // session-key sends accepted
	firstSend  time.Time     // first send accepted
	lastAccept time.Time     // last ID accepted
	allFinal   time.Time     // every ID seen final
	blocks     uint64        // blocks sealed during the run
	lead       time.Duration // latest block's lead over wall clock + offset at the end
}

// runLoad drives a sandbox over HTTP the way clients do: each client logs in
// as a guest, creates a server wallet as its session key, grants it (full
// permissions) and sends `sends` session-key transfers of i+1 wei to a
// recipient of its own, without waiting in between. It waits until every ID
// is final and checks that each is CONFIRMED exactly once and that the
// balances add up.
func runLoad(t testing.TB, r *Running, clients, sends int) loadResult {
	t.Helper()
	ctx := context.Background()
	c, ok := r.Chains().Lookup(DefaultChainID)
	if !ok {
		t.Fatal("no default chain")
	}
	startBlock := c.BlockNumber()
	type client struct {
		user, key, rcpt string
		ids             []string
		sent            *big.Int
	}
	cls := make([]*client, clients)
	var mu sync.Mutex
	var res loadResult
	accepted := func(ids ...string) {
		mu.Lock()
		now := time.Now()
		if now.After(res.lastAccept) {
			res.lastAccept = now
		}
		res.ids = append(res.ids, ids...)
		mu.Unlock()
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range cls {
		cl := &client{sent: new(big.Int), rcpt: common.BigToAddress(big.NewInt(int64(1_000_000 + i))).Hex()}
		cls[i] = cl
		wg.Add(1)
		go func() {
			defer wg.Done()
			api := apiclient.New(r.BaseURL, r.ClientID(), r.SecretKey())
			login, err := api.GuestLogin(ctx, fmt.Sprintf("load-%s-%d", run, i))
			if err != nil {
				errs <- fmt.Errorf("client %d login: %w", i, err)
				return
			}
			cl.user = login.WalletAddress
			key, err := api.CreateServerWallet(ctx, fmt.Sprintf("load-key-%s-%d", run, i))
			if err != nil {
				errs <- fmt.Errorf("client %d server wallet: %w", i, err)
				return
			}
			cl.key = key.Address
			gid, _, err := api.CreateSessionKey(ctx, login.Token, apiclient.CreateSessionKeyRequest{
				ChainID: DefaultChainID, SessionKeyAddress: key.Address, DurationInSeconds: 3600,
				GrantFullPermissions: apiclient.Bool(true),
			})
			if err != nil {
				errs <- fmt.Errorf("client %d grant: %w", i, err)
				return
			}
			accepted(gid)
			cl.ids = append(cl.ids, gid)
			sc := apiclient.SessionContext{Account: login.WalletAddress, SessionKey: key.Address}
			for j := 0; j < sends; j++ {
				q := big.NewInt(int64(j + 1))
				ids, err := api.Send(ctx, sc, apiclient.SendRequest{ChainID: DefaultChainID, From: key.Address,
					Recipients: []apiclient.Recipient{{Address: cl.rcpt, Quantity: apiclient.Dec(q)}}})
				if err != nil {
					errs <- fmt.Errorf("client %d send %d: %w", i, j, err)
					return
				}
				mu.Lock()
				if res.firstSend.IsZero() {
					res.firstSend = time.Now()
				}
				res.sends += len(ids)
				mu.Unlock()
				accepted(ids...)
				cl.ids = append(cl.ids, ids...)
				cl.sent.Add(cl.sent, q)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every ID final, each exactly once, all CONFIRMED.
	api := apiclient.New(r.BaseURL, r.ClientID(), r.SecretKey())
	seen := map[string]bool{}
	for _, id := range res.ids {
		if seen[id] {
			t.Fatalf("ID %s handed out twice", id)
		}
		seen[id] = true
	}
	deadline := time.Now().Add(60 * time.Second)
	// Watch each client's last ID first (one request per client a round,
	// not one per ID: polling every ID would cost the sandbox more CPU
	// than the transactions), then check every ID, reading the records a
	// page of 100 at a time (GET /transactions), until all are final.
	var pending []string
	for _, cl := range cls {
		pending = append(pending, cl.ids[len(cl.ids)-1])
	}
	for len(pending) > 0 {
		var next []string
		for _, id := range pending {
			tx, err := api.Transaction(ctx, id)
			if err != nil {
				t.Fatalf("tx %s: %v", id, err)
			}
			if !tx.Final() {
				next = append(next, id)
			}
		}
		pending = next
		if len(pending) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d clients' last IDs not final after 60 s", len(pending))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for {
		byID := map[string]apiclient.Transaction{}
		for page := 1; ; page++ {
			l, err := api.Transactions(ctx, "", page, 100)
			if err != nil {
				t.Fatalf("list page %d: %v", page, err)
			}
			for _, tx := range l.Transactions {
				byID[tx.ID] = tx
			}
			if l.Pagination.HasMore == nil || !*l.Pagination.HasMore {
				break
			}
		}
		notFinal := 0
		for _, id := range res.ids {
			tx, ok := byID[id]
			switch {
			case !ok:
				t.Fatalf("tx %s not listed", id)
			case !tx.Final():
				notFinal++
			case tx.Status != apiclient.StatusConfirmed:
				t.Fatalf("tx %s: %s (%s)", id, tx.Status, tx.Error())
			}
		}
		if notFinal == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d IDs not final after 60 s", notFinal, len(res.ids))
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.allFinal = time.Now()
	res.blocks = c.BlockNumber() - startBlock
	res.lead = c.LatestBlockTime().Sub(time.Now().Add(c.TimeOffset()))

	// Balances add up: each recipient got exactly its client's sends, and
	// each user's account paid exactly that (the relayer pays gas).
	for i, cl := range cls {
		got, err := c.Balance(ctx, common.HexToAddress(cl.rcpt))
		if err != nil {
			t.Fatal(err)
		}
		if got.Cmp(cl.sent) != 0 {
			t.Fatalf("client %d: recipient has %s wei, sent %s", i, got, cl.sent)
		}
		ub, err := c.Balance(ctx, common.HexToAddress(cl.user))
		if err != nil {
			t.Fatal(err)
		}
		if want := new(big.Int).Sub(DefaultFundWei, cl.sent); ub.Cmp(want) != 0 {
			t.Fatalf("client %d: user has %s wei, want %s", i, ub, want)
		}
	}
	// The records list each ID once.
	list := r.txs.list(nil)
	count := map[string]int{}
	for _, tx := range list {
		count[tx.ID]++
	}
	for _, id := range res.ids {
		if count[id] != 1 {
			t.Fatalf("ID %s listed %d times", id, count[id])
		}
	}
	return res
}

// TestLoadSessionSends: 10 clients × 20 session-key sends against one
// sandbox (default block time) over HTTP: every ID final and CONFIRMED once,
// balances add up, the clock stays honest. The full 50 × 100 run is
// BenchmarkLoad (docs/benchmarks.md).
func TestLoadSessionSends(t *testing.T) {
	r, err := Listen(context.Background(), "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	res := runLoad(t, r, 10, 20)
	t.Logf("%d IDs (%d sends) final %v after the last acceptance, %d blocks, lead %v",
		len(res.ids), res.sends, res.allFinal.Sub(res.lastAccept).Round(time.Millisecond), res.blocks, res.lead.Round(time.Millisecond))
	if res.sends != 200 || len(res.ids) != 210 {
		t.Fatalf("%d sends, %d IDs", res.sends, len(res.ids))
	}
	if res.lead > 2*time.Second {
		t.Fatalf("chain clock leads by %v", res.lead)
	}
}

// TestAbortedLoginFundsOnce: a login whose client gives up while the faucet
// funds it, then retries, leaves the guest funded once.
func TestAbortedLoginFundsOnce(t *testing.T) {
	r, err := Listen(context.Background(), "127.0.0.1:0", Options{BlockTime: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	api := apiclient.New(r.BaseURL, r.ClientID(), r.SecretKey())
	const n = 10
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Give up a few milliseconds in: the faucet's transactions are
			// sent, their block not sealed yet.
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(5+i)*time.Millisecond)
			defer cancel()
			_, _ = api.GuestLogin(ctx, "aborted-"+strconv.Itoa(i))
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		login, err := api.GuestLogin(context.Background(), "aborted-"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		// Login no longer waits for the funding; the balance read does. A
		// second funding would have been sent before this login's (the
		// faucet's nonce order), so it would show by then.
		bs, err := api.Balance(context.Background(), login.WalletAddress, []uint64{DefaultChainID}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 1 || bs[0].Value != DefaultFundWei.String() {
			t.Fatalf("guest %d: balances %+v, want %s wei (funded once)", i, bs, DefaultFundWei)
		}
	}
}
