package chain

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/holiman/uint256"
)

// lead is how far the latest block is stamped ahead of wall clock + offset.
func lead(c *Chain) time.Duration {
	now := time.Now().Add(c.TimeOffset())
	return c.LatestBlockTime().Sub(now)
}

// fundBurst funds n fresh wallets at once, as a burst of guest logins does.
func fundBurst(t *testing.T, c *Chain, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, _ := crypto.GenerateKey()
			if err := c.Fund(context.Background(), addr(k)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestClockUnderLoginBurst: 1,000 concurrent fundings (a login burst) do not
// run the chain's clock ahead: the latest block stays within 2 s of the wall
// clock, and a handful of blocks carry them all.
func TestClockUnderLoginBurst(t *testing.T) {
	_, c := newTestChain(t, Options{BlockTime: 250 * time.Millisecond})
	before := c.BlockNumber()
	start := time.Now()
	fundBurst(t, c, 1000)
	took := time.Since(start)
	blocks := c.BlockNumber() - before
	t.Logf("1000 fundings in %v, %d blocks, lead %v", took, blocks, lead(c))
	if l := lead(c); l > 2*time.Second {
		t.Fatalf("latest block leads wall clock by %v after the burst", l)
	}
	if max := uint64(took/time.Second) + maxLead + 2; blocks > max {
		t.Fatalf("%d blocks in %v: more than one a second", blocks, took)
	}
}

// TestExpiryJudgedOnTrueTime: a session granted for 30 s is still live
// after a burst of logins (each used to seal a block, one second each), and
// ends when the wall clock says so.
func TestExpiryJudgedOnTrueTime(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)
	grant(t, c, user, SessionSpec{Signer: addr(sk), IsWildcard: true, ExpiresAt: expiry(c, 30*time.Second)})
	fundBurst(t, c, 300)
	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(user)}})
	if o := mustWait(t, c, p, err); !o.Success {
		t.Fatalf("30 s session failed after a burst (lead %v): %s", lead(c), o.Reason)
	}
	if l := lead(c); l > 2*time.Second {
		t.Fatalf("lead %v", l)
	}
	// Moving time is what AdvanceTime is for: then it expires.
	if err := c.AdvanceTime(31 * time.Second); err != nil {
		t.Fatal(err)
	}
	if l := lead(c); l > 2*time.Second || l < -time.Second {
		t.Fatalf("after advancing, lead %v (offset %v)", l, c.TimeOffset())
	}
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(user)}})
	wantFail(t, mustWait(t, c, p, err), "SessionExpired: ")
}

// TestAdvanceTimeKeepsFollowingTheWallClock: after AdvanceTime the chain is
// wall clock + offset, also for blocks sealed later.
func TestAdvanceTimeKeepsFollowingTheWallClock(t *testing.T) {
	_, c := newTestChain(t, Options{})
	if err := c.AdvanceTime(time.Hour); err != nil {
		t.Fatal(err)
	}
	if off := c.TimeOffset(); off < time.Hour || off > time.Hour+3*time.Second {
		t.Fatalf("offset %v", off)
	}
	time.Sleep(2100 * time.Millisecond)
	if err := c.Fund(ctxT(t), addr(newKey(t))); err != nil {
		t.Fatal(err)
	}
	if l := lead(c); l < -time.Second || l > 2*time.Second {
		t.Fatalf("block 2 s after advancing: lead %v over wall+offset", l)
	}
}

// TestFundIgnoresCancellation: funding started for a request that is then
// abandoned still completes and reports success, so the caller's retry
// finds the wallet funded instead of funding it again.
func TestFundIgnoresCancellation(t *testing.T) {
	_, c := newTestChain(t, Options{BlockTime: 200 * time.Millisecond})
	a := addr(newKey(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Fund(ctx, a); err != nil {
		t.Fatalf("fund with a cancelled context: %v", err)
	}
	if b, _ := c.Balance(ctxT(t), a); b.Cmp(DefaultFundWei) != 0 {
		t.Fatalf("balance %s, want %s", b, DefaultFundWei)
	}
	// Cancelled while waiting for the block.
	b := addr(newKey(t))
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(5*time.Millisecond, cancel)
	if err := c.Fund(ctx, b); err != nil {
		t.Fatalf("fund cancelled midway: %v", err)
	}
	if got, _ := c.Balance(ctxT(t), b); got.Cmp(DefaultFundWei) != 0 {
		t.Fatalf("balance %s, want %s", got, DefaultFundWei)
	}
}

// TestFundingRidesTheNextBlock: funding asks for no block of its own. Two
// fundings handed to the pool, then an ordinary transaction, share one
// block (with a seal per funding, as before, they took blocks of their
// own); funding with nothing else pending is still sealed on its own.
func TestFundingRidesTheNextBlock(t *testing.T) {
	const bt = time.Second
	_, c := newTestChain(t, Options{BlockTime: bt})
	ctx := ctxT(t)
	sender := newKey(t)
	if err := c.Fund(ctx, addr(sender)); err != nil {
		t.Fatal(err)
	}
	// Idle for more than a block interval: a block asked for now would be
	// sealed at once.
	time.Sleep(bt + 100*time.Millisecond)
	var fs []*Funding
	for range 2 {
		f, err := c.StartFund(ctx, addr(newKey(t)))
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	p, err := c.SubmitDirect(ctx, sender, Call{To: addr(newKey(t)), Value: wei(1)})
	o := mustWait(t, c, p, err)
	for _, f := range fs {
		for _, fp := range f.ps {
			fo := mustWait(t, c, fp, nil)
			if !fo.Success || fo.Block != o.Block {
				t.Fatalf("funding in block %d (success %v), the send in block %d", fo.Block, fo.Success, o.Block)
			}
		}
	}
	// Nobody waits for this one: it lingers, then is sealed anyway.
	f, err := c.StartFund(ctx, addr(newKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, fp := range f.ps {
		if fo := mustWait(t, c, fp, nil); !fo.Success || fo.Block <= o.Block {
			t.Fatalf("lone funding: block %d (success %v)", fo.Block, fo.Success)
		}
	}
}

// TestKeysRandomPerManager: the relayer and faucet are not derivable from
// anything fixed: two managers get different ones.
func TestKeysRandomPerManager(t *testing.T) {
	_, c1 := newTestChain(t, Options{})
	_, c2 := newTestChain(t, Options{})
	if c1.Relayer() == c2.Relayer() || c1.Faucet() == c2.Faucet() || c1.Relayer() == c1.Faucet() {
		t.Fatalf("keys repeat: %s %s %s %s", c1.Relayer(), c2.Relayer(), c1.Faucet(), c2.Faucet())
	}
	// The old fixed relayer (keccak of a string in the source) has nothing.
	old, _ := crypto.ToECDSA(crypto.Keccak256([]byte("walletconsole sandbox relayer")))
	if b, _ := c1.Balance(ctxT(t), addr(old)); b.Sign() != 0 {
		t.Fatal("the fixed relayer key is funded")
	}
	if b, _ := c1.Balance(ctxT(t), c1.Relayer()); b.Cmp(genesisWei) != 0 {
		t.Fatalf("relayer balance %s", b)
	}
}

// TestGrantGasCappedAtEIP7825: a grant whose estimate plus 25% headroom
// would pass the 2^24 transaction gas cap is sent at the cap and lands.
func TestGrantGasCappedAtEIP7825(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)
	var policies []CallSpec
	for i := 0; i < grantPoliciesNearCap; i++ {
		var sel [4]byte
		sel[0], sel[1] = byte(i>>8), byte(i)
		policies = append(policies, CallSpec{Target: c.Token(), Selector: sel,
			Constraints: []Constraint{{Condition: 5, Index: 1, RefValue: wordInt(big.NewInt(int64(i)))}}})
	}
	p, err := c.SubmitGrant(ctx, user, SessionSpec{Signer: addr(sk), ExpiresAt: expiry(c, time.Hour), CallPolicies: policies})
	o := mustWait(t, c, p, err)
	t.Logf("grant of %d policies: gas limit %d, used %d", len(policies), p.Gas, o.GasUsed)
	if !o.Success {
		t.Fatalf("grant: %s", o.Reason)
	}
	if p.Gas > MaxTxGas {
		t.Fatalf("gas limit %d over the cap", p.Gas)
	}
	if o.GasUsed+o.GasUsed/4 <= MaxTxGas {
		t.Fatalf("used %d: the grant is too small to test the cap", o.GasUsed)
	}
	if got := withHeadroom(16_000_000); got != MaxTxGas {
		t.Fatalf("withHeadroom(16M) = %d", got)
	}
	if got := withHeadroom(100_000); got != 125_000 {
		t.Fatalf("withHeadroom(100k) = %d", got)
	}
}

// grantPoliciesNearCap makes a grant of about 14M gas.
const grantPoliciesNearCap = 115

// TestForeignTransactionsOverRPC: with only go-ethereum's ethclient against
// the served JSON-RPC, a self-sponsored EIP-7702 delegation that also grants
// a session, then a session key's execute, are both mined, with no sandbox
// call in between; AdvanceTime with a foreign transaction pending works.
func TestForeignTransactionsOverRPC(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	m := NewManager(Options{BlockTime: 250 * time.Millisecond, RPCAddr: "127.0.0.1:" + strconv.Itoa(port)})
	t.Cleanup(func() { m.Close() })
	if m.RPCErr() != nil {
		t.Fatal(m.RPCErr())
	}
	c, err := m.Get(DefaultRPCChainID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	for _, k := range []*ecdsa.PrivateKey{user, sk} {
		if err := c.Fund(ctx, addr(k)); err != nil {
			t.Fatal(err)
		}
	}

	ec, err := ethclient.Dial(m.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	chainID, err := ec.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(chainID)
	head, err := ec.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), big.NewInt(1e9))
	nonce, err := ec.PendingNonceAt(ctx, addr(user))
	if err != nil {
		t.Fatal(err)
	}
	// 1. The user delegates its own EOA and grants a session in one set-code
	// transaction (authorization nonce = tx nonce + 1: self-sponsored).
	auth, err := types.SignSetCode(user, types.SetCodeAuthorization{ChainID: *uint256.MustFromBig(chainID), Address: AccountImplAddress, Nonce: nonce + 1})
	if err != nil {
		t.Fatal(err)
	}
	grantData, err := GrantCalldata(chainID.Uint64(), user, SessionSpec{Signer: addr(sk), IsWildcard: true, ExpiresAt: expiry(c, time.Hour), Uid: [32]byte{7}})
	if err != nil {
		t.Fatal(err)
	}
	tx1 := types.MustSignNewTx(user, signer, &types.SetCodeTx{
		ChainID: uint256.MustFromBig(chainID), Nonce: nonce, GasTipCap: uint256.NewInt(1e9), GasFeeCap: uint256.MustFromBig(feeCap),
		Gas: 1_000_000, To: addr(user), Data: grantData, AuthList: []types.SetCodeAuthorization{auth},
	})
	if err := ec.SendTransaction(ctx, tx1); err != nil {
		t.Fatal(err)
	}
	r1 := waitReceipt(t, ec, tx1.Hash())
	if r1.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("delegation+grant reverted")
	}
	// 2. The session key sends execute to the user's account itself.
	execData, err := ExecuteCalldata([]Call{{To: rcpt, Value: big.NewInt(1)}})
	if err != nil {
		t.Fatal(err)
	}
	skNonce, err := ec.PendingNonceAt(ctx, addr(sk))
	if err != nil {
		t.Fatal(err)
	}
	to := addr(user)
	tx2 := types.MustSignNewTx(sk, signer, &types.DynamicFeeTx{
		ChainID: chainID, Nonce: skNonce, GasTipCap: big.NewInt(1e9), GasFeeCap: feeCap, Gas: 300_000, To: &to, Data: execData,
	})
	if err := ec.SendTransaction(ctx, tx2); err != nil {
		t.Fatal(err)
	}
	if r2 := waitReceipt(t, ec, tx2.Hash()); r2.Status != types.ReceiptStatusSuccessful {
		t.Fatal("session execute reverted")
	}
	if b, _ := ec.BalanceAt(ctx, rcpt, nil); b.Cmp(big.NewInt(1)) != 0 {
		t.Fatalf("recipient balance %s", b)
	}

	// 3. A legacy transfer pending while time is advanced: mined, no error.
	gp, _ := ec.SuggestGasPrice(ctx)
	skNonce++
	tx3 := types.MustSignNewTx(sk, signer, &types.LegacyTx{Nonce: skNonce, GasPrice: new(big.Int).Mul(gp, big.NewInt(2)), Gas: 21000, To: &rcpt, Value: big.NewInt(2)})
	if err := ec.SendTransaction(ctx, tx3); err != nil {
		t.Fatal(err)
	}
	if err := c.AdvanceTime(time.Minute); err != nil {
		t.Fatalf("advance time with a foreign transaction pending: %v", err)
	}
	if r3 := waitReceipt(t, ec, tx3.Hash()); r3.Status != types.ReceiptStatusSuccessful {
		t.Fatal("legacy transfer reverted")
	}
}

func waitReceipt(t *testing.T, ec *ethclient.Client, h common.Hash) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := ec.TransactionReceipt(context.Background(), h); err == nil {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("transaction %s not mined within 5 s", h.Hex())
	return nil
}
