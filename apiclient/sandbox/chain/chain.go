package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/txpool/legacypool"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"

	"walletconsole/apiclient/sandbox/contracts"
)

// Fixed genesis addresses.
var (
	// AccountImplAddress holds SessionAccount's runtime code; EOAs delegate
	// to it. It is the hosted service's delegation target today, so
	// delegations look the same (live code must not assume this address).
	AccountImplAddress = common.HexToAddress("0xD6999651Fc0964B9c6B444307a0ab20534a66560")
	// TokenAddress holds TestToken's runtime code.
	TokenAddress = common.HexToAddress("0x7e57700000000000000000000000000000000001")
)

// Deterministic keys funded in genesis (sandbox only, never use elsewhere).
var (
	relayerKey = mustKey("walletconsole sandbox relayer")
	faucetKey  = mustKey("walletconsole sandbox faucet")
	// genesisWei funds the relayer and the faucet: 10^9 ETH each.
	genesisWei = new(big.Int).Mul(big.NewInt(1e9), big.NewInt(1e18))
)

func mustKey(seed string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		panic(err)
	}
	return k
}

const (
	// fallbackGas is used when gas estimation fails because the call
	// reverts: the transaction is still sent so the revert lands on chain.
	fallbackGas = 2_000_000
	// maxCommitRetries bounds the extra blocks mined (BlockTime 0) for
	// transactions that did not make it into the first block.
	maxCommitRetries = 3
	// poolSettle bounds how long a send waits for the txpool to catch up
	// with a new head (see send), polling every poolRetryEvery.
	poolSettle     = 2 * time.Second
	poolRetryEvery = 5 * time.Millisecond
	// dropAfterBlocks: a tracked transaction not mined after this many
	// blocks is considered dropped (Wait fails).
	dropAfterBlocks = 20
	blockGasLimit   = 150_000_000
	// The mined index keeps results of the last keepBlocks blocks (older
	// ones are looked up on the chain), pruned every pruneEvery blocks.
	keepBlocks = 10_000
	pruneEvery = 1_000
)

// Chain is one simulated chain. Safe for concurrent use.
type Chain struct {
	id        uint64
	chainID   *big.Int
	signer    types.Signer
	blockTime time.Duration
	fundWei   *big.Int
	tokenMint *big.Int

	sim    *simulated.Backend
	client simulated.Client
	tip    *big.Int

	// mu serialises everything that changes chain or pool state: nonce
	// assignment, sending, committing and time adjustment.
	mu        sync.Mutex
	nonces    map[common.Address]uint64
	delegated map[common.Address]bool // delegation to AccountImpl sent or seen
	unmined   map[common.Hash]int     // tracked hash -> blocks seen since sending
	dropped   map[common.Hash]bool

	// sigMu guards the per-block signal and results.
	sigMu    sync.Mutex
	blockSig chan struct{} // closed and replaced after each new block
	mined    map[common.Hash]*minedTx
	lastTime uint64
	lastNum  uint64

	poke   chan struct{}
	quit   chan struct{}
	done   chan struct{}
	closed sync.Once
}

type minedTx struct {
	receipt   *types.Receipt
	block     uint64
	blockTime uint64
}

func newChain(id uint64, opts Options, rpcHost string, rpcPort int) (*Chain, error) {
	alloc := types.GenesisAlloc{
		AccountImplAddress: {Code: contracts.AccountRuntimeCode(), Balance: big.NewInt(0)},
		TokenAddress:       {Code: contracts.TokenRuntimeCode(), Balance: big.NewInt(0)},
		crypto.PubkeyToAddress(relayerKey.PublicKey): {Balance: new(big.Int).Set(genesisWei)},
		crypto.PubkeyToAddress(faucetKey.PublicKey):  {Balance: new(big.Int).Set(genesisWei)},
	}
	chainID := new(big.Int).SetUint64(id)
	genesisTime := uint64(time.Now().Unix())
	configure := func(nc *node.Config, ec *ethconfig.Config) {
		cfg := *params.AllDevChainProtocolChanges // copy: never mutate the shared config
		cfg.ChainID = chainID
		// Pin Osaka (mainnet) rules: forks scheduled after Osaka reprice
		// state gas (see docs). Clear everything past Osaka.
		cfg.AmsterdamTime = nil
		cfg.BogotaTime = nil
		cfg.UBTTime = nil
		cfg.BPO1Time, cfg.BPO2Time, cfg.BPO3Time, cfg.BPO4Time, cfg.BPO5Time = nil, nil, nil, nil, nil
		ec.Genesis.Config = &cfg
		// Roomy blocks: with BlockTime > 0 many sandbox transactions share a
		// block (per-transaction gas is unaffected).
		ec.Genesis.GasLimit = blockGasLimit
		ec.Miner.GasCeil = blockGasLimit
		ec.Genesis.Timestamp = genesisTime
		ec.NetworkId = id
		if rpcHost != "" {
			nc.HTTPHost = rpcHost
			nc.HTTPPort = rpcPort
			nc.HTTPModules = []string{"eth", "net", "web3"}
			nc.HTTPVirtualHosts = []string{"localhost", "127.0.0.1", "::1"}
			nc.HTTPCors = nil
		}
	}
	sim, err := newBackend(alloc, configure)
	if err != nil {
		return nil, fmt.Errorf("chain %d: %w", id, err)
	}
	c := &Chain{
		id:        id,
		chainID:   chainID,
		signer:    types.LatestSignerForChainID(chainID),
		blockTime: opts.BlockTime,
		fundWei:   new(big.Int).Set(opts.FundWei),
		tokenMint: new(big.Int).Set(opts.TokenMint),
		sim:       sim,
		client:    sim.Client(),
		nonces:    map[common.Address]uint64{},
		delegated: map[common.Address]bool{},
		unmined:   map[common.Hash]int{},
		dropped:   map[common.Hash]bool{},
		blockSig:  make(chan struct{}),
		mined:     map[common.Hash]*minedTx{},
		lastTime:  genesisTime,
		poke:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tip, err := c.client.SuggestGasTipCap(ctx)
	if err != nil || tip.Sign() <= 0 {
		tip = big.NewInt(params.GWei)
	}
	c.tip = tip
	go c.loop()
	return c, nil
}

// newBackend wraps simulated.NewBackend, which panics on node errors (e.g.
// the RPC port is taken).
func newBackend(alloc types.GenesisAlloc, opt func(*node.Config, *ethconfig.Config)) (b *simulated.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting simulated backend: %v", r)
		}
	}()
	return simulated.NewBackend(alloc, opt), nil
}

func (c *Chain) close() error {
	var err error
	c.closed.Do(func() {
		close(c.quit)
		<-c.done
		c.mu.Lock()
		err = c.sim.Close()
		c.mu.Unlock()
	})
	return err
}

// ChainID returns the chain's ID.
func (c *Chain) ChainID() uint64 { return c.id }

// AccountImpl is the EIP-7702 delegation target (SessionAccount's code).
func (c *Chain) AccountImpl() common.Address { return AccountImplAddress }

// Token is the TestToken's address.
func (c *Chain) Token() common.Address { return TokenAddress }

// Relayer is the address that pays gas for grants and session executions.
func (c *Chain) Relayer() common.Address { return crypto.PubkeyToAddress(relayerKey.PublicKey) }

// Client gives raw access to the chain (tests, JSON-RPC tooling).
func (c *Chain) Client() simulated.Client { return c.client }

// Now is the chain's current time: the latest block's time, or the wall
// clock if that is later (an idle chain's next block is stamped with the wall
// clock, or 1 s after the latest block if AdvanceTime moved it ahead). Use it
// for expiries: a grant's expiresAt computed from a stale block time would be
// early by however long the chain sat idle. Whole seconds, UTC.
func (c *Chain) Now() time.Time {
	c.sigMu.Lock()
	last := int64(c.lastTime)
	c.sigMu.Unlock()
	return time.Unix(max(time.Now().Unix(), last), 0).UTC()
}

// LatestBlockTime is the latest block's timestamp.
func (c *Chain) LatestBlockTime() time.Time {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	return time.Unix(int64(c.lastTime), 0).UTC()
}

// BlockNumber is the latest block's number.
func (c *Chain) BlockNumber() uint64 {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	return c.lastNum
}

// Balance is addr's ETH balance at the latest block.
func (c *Chain) Balance(ctx context.Context, addr common.Address) (*big.Int, error) {
	return c.client.BalanceAt(ctx, addr, nil)
}

// TokenBalance is addr's TST balance at the latest block.
func (c *Chain) TokenBalance(ctx context.Context, addr common.Address) (*big.Int, error) {
	data, err := contracts.TokenABI.Pack("balanceOf", addr)
	if err != nil {
		return nil, err
	}
	to := TokenAddress
	out, err := c.client.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(out), nil
}

// Code is addr's code at the latest block (0xef0100‖target for a delegated EOA).
func (c *Chain) Code(ctx context.Context, addr common.Address) ([]byte, error) {
	return c.client.CodeAt(ctx, addr, nil)
}

// Fund gives addr FundWei ETH and mints TokenMint TST to it, and waits until
// both are mined.
func (c *Chain) Fund(ctx context.Context, addr common.Address) error {
	var ps []*Pending
	if c.fundWei.Sign() > 0 {
		p, err := c.send(ctx, faucetKey, sendReq{to: addr, value: c.fundWei, kind: kindDirect})
		if err != nil {
			return fmt.Errorf("fund ETH: %w", err)
		}
		ps = append(ps, p)
	}
	if c.tokenMint.Sign() > 0 {
		data, err := contracts.TokenABI.Pack("mint", addr, c.tokenMint)
		if err != nil {
			return err
		}
		p, err := c.send(ctx, faucetKey, sendReq{to: TokenAddress, data: data, kind: kindDirect})
		if err != nil {
			return fmt.Errorf("fund TST: %w", err)
		}
		ps = append(ps, p)
	}
	// A new wallet is of no use until funded: seal its block now instead of
	// waiting for the next interval, so login and key creation answer at once.
	c.mu.Lock()
	if !c.isClosed() && len(c.unmined) > 0 {
		c.commitLocked()
	}
	c.mu.Unlock()
	for _, p := range ps {
		o, err := c.Wait(ctx, p)
		if err != nil {
			return err
		}
		if !o.Success {
			return fmt.Errorf("fund: %s", o.Reason)
		}
	}
	return nil
}

// AdvanceTime mines any pending transactions, then mines an empty block
// stamped d after Now() (whole seconds; at least 1 s after the latest
// block). It counts from Now(), not from the latest block, because expiries
// are computed from Now(): on an idle chain the latest block is stale, and
// "advance 2 minutes" must still pass a 60-second grant's expiry.
func (c *Chain) AdvanceTime(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isClosed() {
		return ErrClosed
	}
	if len(c.unmined) > 0 {
		c.commitLocked()
	}
	target := c.Now().Add(d)
	adjust := func() error {
		// geth seals the block at latest + adjustment.
		return c.sim.AdjustTime(max(target.Sub(c.LatestBlockTime()), time.Second))
	}
	// geth refuses while its pool lists pending transactions.
	nonEmpty := func(err error) bool { return strings.Contains(err.Error(), "non-empty block") }
	if err := c.retryPoolLocked(context.Background(), nonEmpty, adjust); err != nil {
		return err
	}
	c.afterBlockLocked()
	return nil
}

func (c *Chain) isClosed() bool {
	select {
	case <-c.quit:
		return true
	default:
		return false
	}
}

// ---------------------------------------------------------------------
// Mining

func (c *Chain) loop() {
	defer close(c.done)
	var tick <-chan time.Time
	if c.blockTime > 0 {
		t := time.NewTicker(c.blockTime)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-c.quit:
			return
		case <-c.poke:
			if c.blockTime == 0 {
				c.mu.Lock()
				c.commitLocked()
				c.mu.Unlock()
			}
		case <-tick:
			c.mu.Lock()
			if len(c.unmined) > 0 {
				c.sim.Commit()
				c.afterBlockLocked()
			}
			c.mu.Unlock()
		}
	}
}

// commitLocked mines until every tracked transaction is in a block (bounded).
func (c *Chain) commitLocked() {
	for i := 0; i < maxCommitRetries && len(c.unmined) > 0; i++ {
		c.sim.Commit()
		c.afterBlockLocked()
	}
}

// afterBlockLocked records the new head's transactions and wakes waiters.
func (c *Chain) afterBlockLocked() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	block, err := c.client.BlockByNumber(ctx, nil)
	if err != nil {
		return
	}
	var receipts []*types.Receipt
	if len(block.Transactions()) > 0 {
		receipts, _ = blockReceipts(ctx, c.client, block)
	}
	c.sigMu.Lock()
	for i, tx := range block.Transactions() {
		h := tx.Hash()
		delete(c.unmined, h)
		if i < len(receipts) {
			c.mined[h] = &minedTx{receipt: receipts[i], block: block.NumberU64(), blockTime: block.Time()}
		}
	}
	c.lastTime = block.Time()
	c.lastNum = block.NumberU64()
	if c.lastNum%pruneEvery == 0 {
		for h, m := range c.mined {
			if m.block+keepBlocks < c.lastNum {
				delete(c.mined, h)
			}
		}
	}
	close(c.blockSig)
	c.blockSig = make(chan struct{})
	c.sigMu.Unlock()

	for h, n := range c.unmined {
		if n+1 >= dropAfterBlocks {
			delete(c.unmined, h)
			c.sigMu.Lock()
			c.dropped[h] = true
			c.sigMu.Unlock()
			continue
		}
		c.unmined[h] = n + 1
	}
}

func blockReceipts(ctx context.Context, cl simulated.Client, block *types.Block) ([]*types.Receipt, error) {
	type br interface {
		BlockReceipts(context.Context, rpc.BlockNumberOrHash) ([]*types.Receipt, error)
	}
	if b, ok := cl.(br); ok {
		if rs, err := b.BlockReceipts(ctx, rpc.BlockNumberOrHashWithHash(block.Hash(), false)); err == nil && len(rs) == len(block.Transactions()) {
			return rs, nil
		}
	}
	rs := make([]*types.Receipt, 0, len(block.Transactions()))
	for _, tx := range block.Transactions() {
		r, err := cl.TransactionReceipt(ctx, tx.Hash())
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func (c *Chain) kick() {
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// ---------------------------------------------------------------------
// Sending

type txKind int

const (
	kindDirect txKind = iota
	kindGrant
	kindExecute
)

type sendReq struct {
	to    common.Address
	value *big.Int
	data  []byte
	// delegate: EOAs (with their keys) to delegate to AccountImpl in this
	// transaction (EIP-7702), if not delegated yet.
	delegate []*ecdsa.PrivateKey
	kind     txKind
	calls    []Call // as the account will run them (Pending.Calls)
	// mustBeDelegated: EOAs whose code must delegate to AccountImpl at the
	// transaction's block, else a "successful" call did nothing.
	mustBeDelegated []common.Address
}

// Pending is a submitted transaction.
type Pending struct {
	Hash common.Hash
	// From is the transaction's sender on chain (the relayer for grants and
	// session executions, the wallet for SubmitDirect).
	From common.Address
	// Calls are the calls as the account will run them.
	Calls []Call
	// Gas is the transaction's gas limit.
	Gas uint64
	// Delegated reports whether this transaction carries an EIP-7702
	// authorization (delegating an EOA to AccountImpl).
	Delegated bool

	tx              *types.Transaction
	kind            txKind
	mustBeDelegated []common.Address
}

// Outcome is a mined transaction's result.
type Outcome struct {
	Success   bool
	Block     uint64
	BlockTime time.Time
	GasUsed   uint64
	// Reason is "" on success, else "<ErrorName>: <meaning>" decoded from
	// the revert data.
	Reason string
	// Logs are the receipt's logs.
	Logs []*types.Log
}

func (c *Chain) send(ctx context.Context, key *ecdsa.PrivateKey, r sendReq) (*Pending, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	value := r.value
	if value == nil {
		value = new(big.Int)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isClosed() {
		return nil, ErrClosed
	}

	nonce, err := c.nonceLocked(ctx, from)
	if err != nil {
		return nil, err
	}

	// EIP-7702 authorizations for EOAs not yet delegated. estAuths stand in
	// for delegations sent in earlier, still unmined transactions, so gas is
	// estimated (against the latest block) as if they had landed.
	var auths, estAuths []types.SetCodeAuthorization
	var authAddrs []common.Address
	for _, k := range r.delegate {
		a := crypto.PubkeyToAddress(k.PublicKey)
		onChain, err := c.IsDelegated(ctx, a)
		if err != nil {
			return nil, err
		}
		if onChain {
			c.delegated[a] = true
			continue
		}
		if c.delegated[a] {
			if a == from {
				continue
			}
			mn, err := c.client.NonceAt(ctx, a, nil)
			if err != nil {
				return nil, err
			}
			auth, err := c.signAuth(k, mn)
			if err != nil {
				return nil, err
			}
			estAuths = append(estAuths, auth)
			continue
		}
		an := nonce + 1 // the sender's own nonce is bumped before authorizations apply
		if a != from {
			if an, err = c.nonceLocked(ctx, a); err != nil {
				return nil, err
			}
		}
		auth, err := c.signAuth(k, an)
		if err != nil {
			return nil, err
		}
		auths = append(auths, auth)
		authAddrs = append(authAddrs, a)
		if a != from {
			mn, err := c.client.NonceAt(ctx, a, nil)
			if err != nil {
				return nil, err
			}
			if mn != an {
				if auth, err = c.signAuth(k, mn); err != nil {
					return nil, err
				}
			}
		}
		estAuths = append(estAuths, auth)
	}

	head, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), c.tip)

	to := r.to
	msg := ethereum.CallMsg{From: from, To: &to, Value: value, Data: r.data, AuthorizationList: estAuths}
	gas, err := c.client.EstimateGas(ctx, msg)
	if err != nil {
		// Typically the call reverts (a policy violation): send anyway so
		// the failure is recorded on chain with a hash and a reason.
		gas = fallbackGas
	} else {
		gas += gas / 4
	}

	var txdata types.TxData
	if len(auths) > 0 {
		txdata = &types.SetCodeTx{
			ChainID:   uint256.MustFromBig(c.chainID),
			Nonce:     nonce,
			GasTipCap: uint256.MustFromBig(c.tip),
			GasFeeCap: uint256.MustFromBig(feeCap),
			Gas:       gas,
			To:        to,
			Value:     uint256.MustFromBig(value),
			Data:      r.data,
			AuthList:  auths,
		}
	} else {
		txdata = &types.DynamicFeeTx{
			ChainID:   c.chainID,
			Nonce:     nonce,
			GasTipCap: c.tip,
			GasFeeCap: feeCap,
			Gas:       gas,
			To:        &to,
			Value:     value,
			Data:      r.data,
		}
	}
	tx, err := types.SignNewTx(key, c.signer, txdata)
	if err != nil {
		return nil, err
	}
	// The pool allows one in-flight transaction per delegated (or
	// being-delegated) account.
	err = c.retryPoolLocked(ctx, isDelegationPoolLimit, func() error { return c.client.SendTransaction(ctx, tx) })
	if err != nil {
		// Forget cached nonces: re-read them from the chain next time.
		delete(c.nonces, from)
		for _, a := range authAddrs {
			delete(c.nonces, a)
		}
		return nil, err
	}
	c.nonces[from] = nonce + 1
	for i, a := range authAddrs {
		c.delegated[a] = true
		c.nonces[a] = auths[i].Nonce + 1
	}
	c.unmined[tx.Hash()] = 0
	if c.blockTime == 0 {
		c.kick()
	}
	return &Pending{
		Hash:            tx.Hash(),
		From:            from,
		Calls:           r.calls,
		Gas:             gas,
		Delegated:       len(auths) > 0,
		tx:              tx,
		kind:            r.kind,
		mustBeDelegated: r.mustBeDelegated,
	}, nil
}

// retryPoolLocked runs attempt until it succeeds or fails for a reason
// other than the txpool's state (retryable). The pool lags behind the
// chain: it catches up with a new head asynchronously, so just after a block
// it can still list a mined transaction as pending or in flight. Between
// attempts it seals what is pending, or else gives the pool a moment;
// bounded by poolSettle and ctx.
func (c *Chain) retryPoolLocked(ctx context.Context, retryable func(error) bool, attempt func() error) error {
	err := attempt()
	for waited := time.Duration(0); err != nil && retryable(err) && waited < poolSettle; {
		if len(c.unmined) > 0 {
			c.commitLocked()
		} else {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(poolRetryEvery):
			}
			waited += poolRetryEvery
		}
		err = attempt()
	}
	return err
}

// isDelegationPoolLimit matches the txpool's EIP-7702 in-flight limits
// (errors arrive as strings through the in-process RPC).
func isDelegationPoolLimit(err error) bool {
	msg := err.Error()
	for _, e := range []error{txpool.ErrInflightTxLimitReached, legacypool.ErrOutOfOrderTxFromDelegated, legacypool.ErrAuthorityReserved} {
		if strings.Contains(msg, e.Error()) {
			return true
		}
	}
	return false
}

func (c *Chain) signAuth(k *ecdsa.PrivateKey, nonce uint64) (types.SetCodeAuthorization, error) {
	return types.SignSetCode(k, types.SetCodeAuthorization{
		ChainID: *uint256.MustFromBig(c.chainID),
		Address: AccountImplAddress,
		Nonce:   nonce,
	})
}

func (c *Chain) nonceLocked(ctx context.Context, a common.Address) (uint64, error) {
	if n, ok := c.nonces[a]; ok {
		return n, nil
	}
	n, err := c.client.PendingNonceAt(ctx, a)
	if err != nil {
		return 0, err
	}
	c.nonces[a] = n
	return n, nil
}

// IsDelegated reports whether addr's code delegates to AccountImpl (at the
// latest block).
func (c *Chain) IsDelegated(ctx context.Context, addr common.Address) (bool, error) {
	code, err := c.client.CodeAt(ctx, addr, nil)
	if err != nil {
		return false, err
	}
	target, ok := types.ParseDelegation(code)
	return ok && target == AccountImplAddress, nil
}

// ---------------------------------------------------------------------
// Waiting

// Wait blocks until p is mined (woken per block, no polling interval) and
// returns its outcome; on a revert, the call is replayed to recover and
// decode the revert data.
func (c *Chain) Wait(ctx context.Context, p *Pending) (Outcome, error) {
	if p == nil {
		return Outcome{}, errors.New("chain: nil pending")
	}
	var m *minedTx
	for {
		c.sigMu.Lock()
		m = c.mined[p.Hash]
		dropped := c.dropped[p.Hash]
		sig := c.blockSig
		c.sigMu.Unlock()
		if m != nil {
			break
		}
		if dropped {
			return Outcome{}, fmt.Errorf("chain: transaction %s was not mined (dropped)", p.Hash.Hex())
		}
		if m = c.lookupMined(ctx, p.Hash); m != nil {
			break
		}
		select {
		case <-sig:
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		case <-c.quit:
			return Outcome{}, ErrClosed
		}
	}
	rc := m.receipt
	o := Outcome{
		Success:   rc.Status == types.ReceiptStatusSuccessful,
		Block:     m.block,
		BlockTime: time.Unix(int64(m.blockTime), 0).UTC(),
		GasUsed:   rc.GasUsed,
		Logs:      rc.Logs,
	}
	if o.Success {
		// A call to an EOA without code "succeeds" doing nothing: make sure
		// the accounts involved ran the session account's code.
		for _, a := range p.mustBeDelegated {
			code, err := c.client.CodeAt(ctx, a, new(big.Int).SetUint64(m.block))
			if err != nil {
				return o, err
			}
			if target, ok := types.ParseDelegation(code); !ok || target != AccountImplAddress {
				o.Success = false
				if p.kind == kindExecute && a == p.mustBeDelegated[0] {
					o.Reason = "SessionExpired: session expired or never granted for this signer (the account " + a.Hex() + " is not delegated)"
				} else {
					o.Reason = "DelegationMissing: " + a.Hex() + " is not delegated to the session account contract, so the call had no effect"
				}
				return o, nil
			}
		}
		if p.kind == kindGrant && !hasSessionCreated(rc.Logs, p.tx.To()) {
			o.Success = false
			o.Reason = "DelegationMissing: no SessionCreated event, so the grant had no effect"
		}
		return o, nil
	}
	o.Reason = c.revertReason(ctx, p, m)
	return o, nil
}

// lookupMined finds a transaction no longer (or never) in the mined index,
// e.g. pruned, by asking the chain.
func (c *Chain) lookupMined(ctx context.Context, h common.Hash) *minedTx {
	c.mu.Lock()
	_, tracked := c.unmined[h]
	c.mu.Unlock()
	if tracked {
		return nil
	}
	rc, err := c.client.TransactionReceipt(ctx, h)
	if err != nil || rc == nil || rc.BlockNumber == nil {
		return nil
	}
	hdr, err := c.client.HeaderByNumber(ctx, rc.BlockNumber)
	if err != nil {
		return nil
	}
	return &minedTx{receipt: rc, block: rc.BlockNumber.Uint64(), blockTime: hdr.Time}
}

func hasSessionCreated(logs []*types.Log, account *common.Address) bool {
	id := contracts.AccountABI.Events["SessionCreated"].ID
	for _, l := range logs {
		if len(l.Topics) > 0 && l.Topics[0] == id && (account == nil || l.Address == *account) {
			return true
		}
	}
	return false
}

// revertReason recovers the revert data: first by re-simulating the block's
// transactions up to this one on the parent state (eth_simulateV1, exact even
// when earlier transactions in the block matter), else by replaying the call
// alone at the parent block, then at its own block.
func (c *Chain) revertReason(ctx context.Context, p *Pending, m *minedTx) string {
	tx := p.tx
	msg := ethereum.CallMsg{
		From:              p.From,
		To:                tx.To(),
		Gas:               tx.Gas(),
		Value:             tx.Value(),
		Data:              tx.Data(),
		AuthorizationList: tx.SetCodeAuthorizations(),
	}
	if data, ok := c.simulateRevert(ctx, p, m); ok {
		return contracts.DecodeRevert(data)
	}
	for _, n := range []uint64{m.block - 1, m.block} {
		_, err := c.client.CallContract(ctx, msg, new(big.Int).SetUint64(n))
		if err == nil {
			continue
		}
		if data, ok := revertData(err); ok {
			return contracts.DecodeRevert(data)
		}
	}
	if m.receipt.GasUsed >= tx.Gas() {
		return fmt.Sprintf("OutOfGas: transaction ran out of gas (limit %d)", tx.Gas())
	}
	return contracts.DecodeRevert(nil)
}

// revertData extracts revert data from an eth_call error.
func revertData(err error) ([]byte, bool) {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil, false
	}
	switch v := de.ErrorData().(type) {
	case string:
		b, err := hexutil.Decode(v)
		return b, err == nil
	case []byte:
		return v, true
	}
	return nil, false
}

// simulateRevert re-runs the transactions of p's block, up to and including
// p, on the parent state with the block's timestamp, and returns p's revert data.
func (c *Chain) simulateRevert(ctx context.Context, p *Pending, m *minedTx) ([]byte, bool) {
	rc := rawRPC(c.client)
	if rc == nil || m.block == 0 {
		return nil, false
	}
	block, err := c.client.BlockByNumber(ctx, new(big.Int).SetUint64(m.block))
	if err != nil {
		return nil, false
	}
	var calls []map[string]interface{}
	idx := -1
	for i, tx := range block.Transactions() {
		from, err := types.Sender(c.signer, tx)
		if err != nil {
			return nil, false
		}
		call := map[string]interface{}{
			"from":  from,
			"to":    tx.To(),
			"gas":   hexutil.Uint64(tx.Gas()),
			"value": (*hexutil.Big)(tx.Value()),
			"input": hexutil.Bytes(tx.Data()),
			"nonce": hexutil.Uint64(tx.Nonce()),
		}
		if auths := tx.SetCodeAuthorizations(); len(auths) > 0 {
			call["authorizationList"] = auths
		}
		calls = append(calls, call)
		if tx.Hash() == p.Hash {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, false
	}
	opts := map[string]interface{}{
		"blockStateCalls": []map[string]interface{}{{
			"blockOverrides": map[string]interface{}{"time": hexutil.Uint64(m.blockTime)},
			"calls":          calls,
		}},
	}
	var res []struct {
		Calls []struct {
			Status hexutil.Uint64 `json:"status"`
			Error  *struct {
				Data string `json:"data"`
			} `json:"error"`
		} `json:"calls"`
	}
	if err := rc.CallContext(ctx, &res, "eth_simulateV1", opts, hexutil.Uint64(m.block-1)); err != nil {
		return nil, false
	}
	if len(res) != 1 || len(res[0].Calls) != idx+1 {
		return nil, false
	}
	r := res[0].Calls[idx]
	if r.Status != 0 || r.Error == nil || r.Error.Data == "" {
		return nil, false
	}
	data, err := hexutil.Decode(r.Error.Data)
	return data, err == nil
}

// rawRPC digs the *rpc.Client out of the simulated backend's client (a
// struct embedding *ethclient.Client, whose Client method the embedded
// field's name shadows). nil if the layout ever changes.
func rawRPC(cl simulated.Client) *rpc.Client {
	if rc, ok := cl.(interface{ Client() *rpc.Client }); ok {
		return rc.Client()
	}
	v := reflect.ValueOf(cl)
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !f.CanInterface() {
			continue
		}
		if ec, ok := f.Interface().(*ethclient.Client); ok && ec != nil {
			return ec.Client()
		}
	}
	return nil
}
