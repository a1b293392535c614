package chain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/txpool/legacypool"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/event"
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

// genesisWei funds the relayer and the faucet: 10^9 ETH each.
var genesisWei = new(big.Int).Mul(big.NewInt(1e9), big.NewInt(1e18))

const (
	// fallbackGas is used when gas estimation fails because the call
	// reverts: the transaction is still sent so the revert lands on chain.
	fallbackGas = 2_000_000
	// MaxTxGas is the per-transaction gas cap of EIP-7825 (Osaka): 2^24.
	// Gas estimates plus headroom never exceed it, or the pool refuses the
	// transaction.
	MaxTxGas = 1 << 24
	// poolSettle bounds how long a send retries while the txpool refuses
	// it for its state (a delegated sender's transaction still in flight,
	// an authority with pending transactions): each retry follows a block.
	poolSettle = 5 * time.Second
	// dropAfterBlocks: a tracked transaction not mined after this many
	// blocks is considered dropped (Wait fails).
	dropAfterBlocks = 20
	// blockGasLimit is roomy so thousands of transactions fit in a block;
	// per-transaction gas is capped separately (MaxTxGas).
	blockGasLimit = 1_000_000_000
	// The mined index keeps results of the last keepBlocks blocks (older
	// ones are looked up on the chain), pruned every pruneEvery blocks.
	keepBlocks = 10_000
	pruneEvery = 1_000
	// maxLead is how far (whole seconds) a block may be stamped ahead of
	// wall clock + offset. Block timestamps must rise by at least 1 s per
	// block, so this is the burst allowance: up to maxLead+1 blocks at once
	// from an idle chain, then one block per second carrying everything
	// pending.
	maxLead = 2
	// fundTimeout bounds Fund, which does not follow its caller's context.
	fundTimeout = 60 * time.Second
	// fundLingerOnDemand: with blocks mined on demand (BlockTime 0),
	// funding alone waits this long for company before it is sealed.
	fundLingerOnDemand = 250 * time.Millisecond
	// Pool sizes: the relayer and the faucet pipeline thousands of
	// transactions (geth's defaults allow 16 pending per account).
	poolAccountSlots = 1 << 14
	poolGlobalSlots  = 1 << 16
	poolAccountQueue = 1 << 12
	poolGlobalQueue  = 1 << 14
)

// Chain is one in-memory chain. Safe for concurrent use.
type Chain struct {
	id        uint64
	chainID   *big.Int
	signer    types.Signer
	blockTime time.Duration
	fundWei   *big.Int
	tokenMint *big.Int
	relayer   *ecdsa.PrivateKey
	faucet    *ecdsa.PrivateKey

	be     *backend
	client *ethclient.Client
	tip    *big.Int

	// offset is what AdvanceTime added to the wall clock (seconds): chain
	// time is wall clock + offset, and nothing else moves it.
	offset atomic.Int64

	// mu serialises nonce assignment and handing transactions to the pool.
	mu        sync.Mutex
	nonces    map[common.Address]uint64
	delegated map[common.Address]bool // delegation to AccountImpl sent or seen

	// sealMu serialises sealing and time adjustment; lastSeal is when the
	// last block was sealed (wall clock). Zero at start: a new chain is
	// idle, so its first block is sealed as soon as something is pending.
	sealMu   sync.Mutex
	lastSeal time.Time

	// sigMu guards the per-block signal, results and tracked transactions.
	sigMu    sync.Mutex
	blockSig chan struct{} // closed and replaced after each new block
	mined    map[common.Hash]*minedTx
	unmined  map[common.Hash]int // tracked hash -> blocks seen since sending
	dropped  map[common.Hash]bool
	lastTime uint64
	lastNum  uint64

	// estimating bounds concurrent gas estimations (CPU-bound).
	estimating chan struct{}

	poke   chan kickKind
	quit   chan struct{}
	done   chan struct{}
	closed sync.Once
}

type minedTx struct {
	receipt   *types.Receipt
	block     uint64
	blockTime uint64
}

func newChain(id uint64, opts Options, keys chainKeys, rpcHost string, rpcPort int) (*Chain, error) {
	alloc := types.GenesisAlloc{
		AccountImplAddress: {Code: contracts.AccountRuntimeCode(), Balance: big.NewInt(0)},
		TokenAddress:       {Code: contracts.TokenRuntimeCode(), Balance: big.NewInt(0)},
		crypto.PubkeyToAddress(keys.relayer.PublicKey): {Balance: new(big.Int).Set(genesisWei)},
		crypto.PubkeyToAddress(keys.faucet.PublicKey):  {Balance: new(big.Int).Set(genesisWei)},
	}
	chainID := new(big.Int).SetUint64(id)
	// Genesis a little in the past, so the first blocks are stamped with
	// the wall clock rather than after genesis.
	genesisTime := uint64(time.Now().Unix()) - maxLead
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
		ec.Genesis.GasLimit = blockGasLimit
		ec.Miner.GasCeil = blockGasLimit
		ec.Genesis.Timestamp = genesisTime
		ec.NetworkId = id
		ec.TxPool.AccountSlots = poolAccountSlots
		ec.TxPool.GlobalSlots = poolGlobalSlots
		ec.TxPool.AccountQueue = poolAccountQueue
		ec.TxPool.GlobalQueue = poolGlobalQueue
		if rpcHost != "" {
			nc.HTTPHost = rpcHost
			nc.HTTPPort = rpcPort
			nc.HTTPModules = []string{"eth", "net", "web3"}
			nc.HTTPVirtualHosts = []string{"localhost", "127.0.0.1", "::1"}
			nc.HTTPCors = nil
		}
	}
	be, err := newNodeBackend(alloc, configure)
	if err != nil {
		return nil, fmt.Errorf("chain %d: starting node: %w", id, err)
	}
	c := &Chain{
		id:         id,
		chainID:    chainID,
		signer:     types.LatestSignerForChainID(chainID),
		blockTime:  opts.BlockTime,
		fundWei:    new(big.Int).Set(opts.FundWei),
		tokenMint:  new(big.Int).Set(opts.TokenMint),
		relayer:    keys.relayer,
		faucet:     keys.faucet,
		be:         be,
		client:     be.client,
		nonces:     map[common.Address]uint64{},
		delegated:  map[common.Address]bool{},
		unmined:    map[common.Hash]int{},
		dropped:    map[common.Hash]bool{},
		blockSig:   make(chan struct{}),
		mined:      map[common.Hash]*minedTx{},
		lastTime:   genesisTime,
		poke:       make(chan kickKind, 1),
		estimating: make(chan struct{}, max(2, runtime.NumCPU())),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tip, err := c.client.SuggestGasTipCap(ctx)
	if err != nil || tip.Sign() <= 0 {
		tip = big.NewInt(params.GWei)
	}
	c.tip = tip
	// Subscribed before anything can be sent, so no transaction's arrival
	// is missed.
	newTxs := make(chan core.NewTxsEvent, 256)
	sub := be.eth.TxPool().SubscribeTransactions(newTxs, false)
	go c.loop(newTxs, sub)
	return c, nil
}

func (c *Chain) close() error {
	var err error
	c.closed.Do(func() {
		close(c.quit)
		<-c.done
		c.sealMu.Lock()
		c.mu.Lock()
		err = c.be.close()
		c.mu.Unlock()
		c.sealMu.Unlock()
	})
	return err
}

// ChainID returns the chain's ID.
func (c *Chain) ChainID() uint64 { return c.id }

// AccountImpl is the EIP-7702 delegation target (SessionAccount's code).
func (c *Chain) AccountImpl() common.Address { return AccountImplAddress }

// Token is the TestToken's address.
func (c *Chain) Token() common.Address { return TokenAddress }

// Relayer is the address that pays gas for grants and session executions
// (a key made at random for this sandbox run).
func (c *Chain) Relayer() common.Address { return crypto.PubkeyToAddress(c.relayer.PublicKey) }

// Faucet is the address Fund pays from (a key made at random for this run).
func (c *Chain) Faucet() common.Address { return crypto.PubkeyToAddress(c.faucet.PublicKey) }

// Client gives raw access to the chain (tests, JSON-RPC tooling).
func (c *Chain) Client() simulated.Client { return c.client }

// Now is the chain's current time: wall clock plus what AdvanceTime added,
// or the latest block's time if that is later (a burst may stamp blocks up
// to maxLead seconds ahead). Use it for expiries. Whole seconds, UTC.
func (c *Chain) Now() time.Time {
	c.sigMu.Lock()
	last := int64(c.lastTime)
	c.sigMu.Unlock()
	return time.Unix(max(time.Now().Unix()+c.offset.Load(), last), 0).UTC()
}

// LatestBlockTime is the latest block's timestamp.
func (c *Chain) LatestBlockTime() time.Time {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	return time.Unix(int64(c.lastTime), 0).UTC()
}

// TimeOffset is how far AdvanceTime has moved chain time past the wall clock.
func (c *Chain) TimeOffset() time.Duration { return time.Duration(c.offset.Load()) * time.Second }

// BlockNumber is the latest block's number.
func (c *Chain) BlockNumber() uint64 {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	return c.lastNum
}

// Balance is addr's ETH balance at the latest block.
func (c *Chain) Balance(ctx context.Context, addr common.Address) (*big.Int, error) {
	st, err := c.be.state(nil)
	if err != nil {
		return nil, err
	}
	return st.GetBalance(addr).ToBig(), nil
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
	st, err := c.be.state(nil)
	if err != nil {
		return nil, err
	}
	return st.GetCode(addr), nil
}

// Fund gives addr FundWei ETH and mints TokenMint TST to it, and waits until
// both are mined. It does not follow ctx's cancellation (only its values):
// once funding starts it finishes (bounded by fundTimeout), so a caller
// that gives up and retries never funds the same wallet twice.
func (c *Chain) Fund(ctx context.Context, addr common.Address) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fundTimeout)
	defer cancel()
	f, err := c.StartFund(ctx, addr)
	if err != nil {
		return err
	}
	return f.Wait(ctx)
}

// Funding is a wallet's funding handed to the pool by StartFund.
type Funding struct {
	c  *Chain
	ps []*Pending
}

// StartFund hands addr's funding (FundWei ETH, a TokenMint TST mint) to the
// pool and returns without waiting for a block. Funding alone does not ask
// for a block of its own: it rides the next one, and if nothing else comes
// it is sealed within FundLinger. Submission does not follow ctx's
// cancellation (bounded by fundTimeout): a funding half handed over would be
// paid twice on a retry.
func (c *Chain) StartFund(ctx context.Context, addr common.Address) (*Funding, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fundTimeout)
	defer cancel()
	f := &Funding{c: c}
	if c.fundWei.Sign() > 0 {
		p, err := c.send(ctx, c.faucet, sendReq{to: addr, value: c.fundWei, kind: kindDirect})
		if err != nil {
			return nil, fmt.Errorf("fund ETH: %w", err)
		}
		f.ps = append(f.ps, p)
	}
	if c.tokenMint.Sign() > 0 {
		data, err := contracts.TokenABI.Pack("mint", addr, c.tokenMint)
		if err != nil {
			return nil, err
		}
		p, err := c.send(ctx, c.faucet, sendReq{to: TokenAddress, data: data, kind: kindDirect})
		if err != nil {
			return nil, fmt.Errorf("fund TST: %w", err)
		}
		f.ps = append(f.ps, p)
	}
	c.kick(kickLinger)
	return f, nil
}

// Wait blocks until the funding is mined and reports whether it succeeded.
// Someone needs the funds now: the next block comes after the block
// interval (and the clock), not after the funding's linger.
func (f *Funding) Wait(ctx context.Context) error {
	for _, p := range f.ps {
		if f.c.isTracked(p.Hash) {
			f.c.kick(kickNormal)
			break
		}
	}
	for _, p := range f.ps {
		o, err := f.c.Wait(ctx, p)
		if err != nil {
			return err
		}
		if !o.Success {
			return fmt.Errorf("fund: %s", o.Reason)
		}
	}
	return nil
}

// FundLinger is the longest funding transactions wait in the pool for
// other transactions to share their block: one block interval, or
// fundLingerOnDemand when blocks are mined on demand.
func (c *Chain) FundLinger() time.Duration {
	if c.blockTime > 0 {
		return c.blockTime
	}
	return fundLingerOnDemand
}

// AdvanceTime moves chain time forward by d (whole seconds, at least 1):
// it seals what is pending at the current time, adds d to the offset over
// the wall clock, counted from Now() (which may lead the wall clock by a
// burst's allowance), and seals a block at the new time so the chain's state
// shows it at once.
func (c *Chain) AdvanceTime(d time.Duration) error {
	c.sealMu.Lock()
	defer c.sealMu.Unlock()
	if c.isClosed() {
		return ErrClosed
	}
	// Transactions already in the pool (ours or sent over JSON-RPC) were
	// sent before time moved: mine them first.
	if c.be.pendingCount() > 0 {
		if err := c.sealLocked(c.targetTime(time.Now())); err != nil {
			return err
		}
	}
	secs := max(int64(d/time.Second), 1)
	now := time.Now()
	base := max(now.Unix()+c.offset.Load(), int64(c.be.head().Time))
	c.offset.Store(base + secs - now.Unix())
	return c.sealLocked(c.targetTime(now))
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
//
// The miner seals a block whenever the pool holds executable transactions
// (the sandbox's own or anyone's over JSON-RPC), each block carrying
// everything pending, stamped max(parent+1, wall clock + offset). Two limits
// space the blocks: BlockTime since the previous block (none with BlockTime
// 0), and the clock: a block is sealed only if its stamp leads wall clock +
// offset by at most maxLead seconds. So a burst of any size cannot run the
// chain's clock ahead; it makes blocks bigger. Wallet funding alone asks for
// no block: it lingers up to FundLinger for other transactions to share
// theirs, since every block spends a second of the clock.

func (c *Chain) targetTime(now time.Time) uint64 {
	return uint64(now.Unix() + c.offset.Load())
}

// sealDelay is how long the miner must wait before sealing the next block.
func (c *Chain) sealDelay(now time.Time) time.Duration {
	c.sigMu.Lock()
	parent := int64(c.lastTime)
	c.sigMu.Unlock()
	off := c.offset.Load()
	var d time.Duration
	// Next stamp max(parent+1, now+off) must be <= now+off+maxLead.
	if need := parent + 1 - maxLead; need > now.Unix()+off {
		d = time.Unix(need-off, 0).Sub(now)
	}
	if c.blockTime > 0 {
		c.sealMu.Lock()
		d = max(d, c.lastSeal.Add(c.blockTime).Sub(now))
		c.sealMu.Unlock()
	}
	return d
}

func (c *Chain) loop(newTxs chan core.NewTxsEvent, sub event.Subscription) {
	defer close(c.done)
	// The pool's feed blocks its reorg (which Sync waits for) until every
	// subscriber has taken the event: drain it on a goroutine of its own
	// that never blocks, never from the loop (which calls Sync).
	drained := make(chan struct{})
	faucet := c.Faucet()
	go func() {
		defer close(drained)
		for {
			select {
			case ev := <-newTxs:
				// Funding alone asks for no block (StartFund lingers);
				// anything else, ours or sent over JSON-RPC, does.
				if slices.ContainsFunc(ev.Txs, func(tx *types.Transaction) bool {
					from, err := types.Sender(c.signer, tx)
					return err != nil || from != faucet
				}) {
					c.kick(kickNormal)
				}
			case err := <-sub.Err():
				_ = err // the pool closed its feed: the chain is shutting down
				return
			case <-c.quit:
				return
			}
		}
	}()
	defer func() {
		sub.Unsubscribe()
		<-drained
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var work bool
	var lingerUntil time.Time // funding waits for company until then
	for {
		select {
		case <-c.quit:
			return
		case k := <-c.poke:
			if k == kickNormal {
				work = true
			} else if lingerUntil.IsZero() {
				lingerUntil = time.Now().Add(c.FundLinger())
			}
		case <-timer.C:
		}
		if !lingerUntil.IsZero() && !time.Now().Before(lingerUntil) {
			work = true
		}
		for work {
			if d := c.sealDelay(time.Now()); d > 0 {
				timer.Reset(d)
				break
			}
			c.sealMu.Lock()
			if c.isClosed() {
				c.sealMu.Unlock()
				return
			}
			if c.be.pendingCount() > 0 || c.trackedUnmined() {
				if err := c.sealLocked(c.targetTime(time.Now())); err != nil {
					// Nothing a retry in a moment would not fix; avoid a hot loop.
					c.sealMu.Unlock()
					timer.Reset(100 * time.Millisecond)
					break
				}
			}
			c.sealMu.Unlock()
			// The block carried every pending transaction, funding too.
			lingerUntil = time.Time{}
			work = c.be.pendingCount() > 0 || c.trackedUnmined()
		}
		if !work && !lingerUntil.IsZero() {
			timer.Reset(time.Until(lingerUntil))
		}
	}
}

func (c *Chain) trackedUnmined() bool {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	return len(c.unmined) > 0
}

// sealLocked seals one block stamped ts (at least parent+1) with every
// pending transaction, and records it. Caller holds sealMu.
func (c *Chain) sealLocked(ts uint64) error {
	block, err := c.be.seal(ts)
	if err != nil {
		return err
	}
	c.lastSeal = time.Now()
	// The pool follows the new head asynchronously: let it catch up before
	// waking anyone, so a transaction sent on the news (paid with funds the
	// block brought) is judged on the new state.
	_ = c.be.syncPool()
	c.afterBlock(block)
	return nil
}

// afterBlock records a new head's transactions and wakes waiters.
func (c *Chain) afterBlock(block *types.Block) {
	var receipts types.Receipts
	if len(block.Transactions()) > 0 {
		receipts = c.be.eth.BlockChain().GetReceiptsByHash(block.Hash())
	}
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
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
	for h, n := range c.unmined {
		if n+1 >= dropAfterBlocks {
			delete(c.unmined, h)
			c.dropped[h] = true
			continue
		}
		c.unmined[h] = n + 1
	}
	close(c.blockSig)
	c.blockSig = make(chan struct{})
}

// kickKind is what the miner is asked for.
type kickKind int

const (
	// kickLinger: funding entered the pool; seal it within FundLinger
	// unless another transaction brings the next block sooner.
	kickLinger kickKind = iota
	// kickNormal: seal the next block as soon as the interval and the
	// clock allow.
	kickNormal
)

// kick asks the miner for a block, never blocking: a queued kickLinger is
// replaced by kickNormal, never the other way round.
func (c *Chain) kick(k kickKind) {
	for {
		select {
		case c.poke <- k:
			return
		default:
		}
		select {
		case old := <-c.poke:
			k = max(k, old)
		default:
		}
	}
}

// isTracked reports whether h was sent by this chain and is not mined yet.
func (c *Chain) isTracked(h common.Hash) bool {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	_, ok := c.unmined[h]
	return ok
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
	if c.isClosed() {
		return nil, ErrClosed
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	value := r.value
	if value == nil {
		value = new(big.Int)
	}

	gas, onChain, err := c.estimate(ctx, from, r, value)
	if err != nil {
		return nil, err
	}
	// The caller's turn (WithSubmitGate): the estimate ran in parallel
	// with earlier transactions; from here on, order matters.
	if gate, ok := ctx.Value(gateKey{}).(func() error); ok {
		if err := gate(); err != nil {
			return nil, err
		}
	}
	// Generous fee cap: pipelined transactions must stay includable while
	// busy blocks raise the base fee (the relayer has plenty).
	feeCap := new(big.Int).Add(new(big.Int).Mul(c.be.head().BaseFee, big.NewInt(4)), c.tip)
	feeCap = feeCap.Add(feeCap, big.NewInt(params.GWei))

	deadline := time.Now().Add(poolSettle)
	for {
		c.sigMu.Lock()
		sig := c.blockSig
		c.sigMu.Unlock()
		p, err := c.submit(ctx, key, from, r, value, gas, feeCap, onChain)
		if err == nil || !isPoolStateLimit(err) || time.Now().After(deadline) {
			return p, err
		}
		// The pool allows one in-flight transaction per delegated (or
		// being-delegated) account, and none from an account whose
		// delegation is pending: wait for the next block (the miner seals
		// whatever is pending) and try again.
		c.kick(kickNormal)
		select {
		case <-sig:
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.quit:
			return nil, ErrClosed
		}
	}
}

type gateKey struct{}

// WithSubmitGate returns a context under which a Submit* call, once it has
// done the work that needs no order (gas estimation), calls gate and waits
// for it before taking a nonce and handing the transaction to the pool; an
// error from gate ends the call. The sandbox's queue uses it to estimate
// many transactions at once while submitting them in acceptance order.
func WithSubmitGate(ctx context.Context, gate func() error) context.Context {
	return context.WithValue(ctx, gateKey{}, gate)
}

// estimate works out a send's gas limit on the latest block, with
// authorizations standing in for delegations not yet on chain; onChain lists
// the delegate keys' accounts already delegated. At most a few run at once
// (they are CPU-bound).
func (c *Chain) estimate(ctx context.Context, from common.Address, r sendReq, value *big.Int) (gas uint64, onChain map[common.Address]bool, err error) {
	select {
	case c.estimating <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	case <-c.quit:
		return 0, nil, ErrClosed
	}
	defer func() { <-c.estimating }()
	// Gas is estimated outside the lock (it is most of a send's cost), on
	// the latest block, with authorizations standing in for delegations not
	// yet on chain (sent in this transaction or an earlier unmined one).
	var estAuths []types.SetCodeAuthorization
	onChain = map[common.Address]bool{}
	for _, k := range r.delegate {
		a := crypto.PubkeyToAddress(k.PublicKey)
		ok, err := c.IsDelegated(ctx, a)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			onChain[a] = true
			continue
		}
		st, err := c.be.state(nil)
		if err != nil {
			return 0, nil, err
		}
		n := st.GetNonce(a)
		if a == from {
			n++ // the sender's own nonce is bumped before authorizations apply
		}
		auth, err := c.signAuth(k, n)
		if err != nil {
			return 0, nil, err
		}
		estAuths = append(estAuths, auth)
	}
	// An account this call must run on that is not delegated yet (its
	// grant is still pending) makes the call a no-op in the estimate: the
	// figure would be far too low for the real thing.
	stale := false
	for _, a := range r.mustBeDelegated {
		if onChain[a] {
			continue
		}
		if ok, err := c.IsDelegated(ctx, a); err != nil {
			return 0, nil, err
		} else if !ok && !slices.ContainsFunc(estAuths, func(au types.SetCodeAuthorization) bool {
			signer, err := au.Authority()
			return err == nil && signer == a
		}) {
			stale = true
		}
	}
	to := r.to
	gas, err = c.be.estimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Value: value, Data: r.data, AuthorizationList: estAuths})
	if err != nil || stale {
		// Typically the call reverts (a policy violation, or it depends on
		// a transaction not mined yet): send anyway so the outcome is
		// recorded on chain with a hash and a reason.
		gas = fallbackGas
	} else {
		gas = withHeadroom(gas)
	}
	return gas, onChain, nil
}

// withHeadroom adds 25% to a gas estimate, within EIP-7825's cap.
func withHeadroom(gas uint64) uint64 {
	return min(gas+gas/4, MaxTxGas)
}

// submit assigns the nonce, signs and hands the transaction to the pool, all
// under mu, so transactions from one sender reach the pool in nonce order
// and the nonce advances only when the pool took the transaction.
func (c *Chain) submit(ctx context.Context, key *ecdsa.PrivateKey, from common.Address, r sendReq, value *big.Int, gas uint64, feeCap *big.Int, onChain map[common.Address]bool) (*Pending, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isClosed() {
		return nil, ErrClosed
	}
	nonce, err := c.nonceLocked(ctx, from)
	if err != nil {
		return nil, err
	}
	var auths []types.SetCodeAuthorization
	var authAddrs []common.Address
	for _, k := range r.delegate {
		a := crypto.PubkeyToAddress(k.PublicKey)
		if onChain[a] {
			c.delegated[a] = true
		}
		if c.delegated[a] {
			continue // delegated, or delegating in an earlier transaction
		}
		an := nonce + 1
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
	}
	var txdata types.TxData
	if len(auths) > 0 {
		txdata = &types.SetCodeTx{
			ChainID:   uint256.MustFromBig(c.chainID),
			Nonce:     nonce,
			GasTipCap: uint256.MustFromBig(c.tip),
			GasFeeCap: uint256.MustFromBig(feeCap),
			Gas:       gas,
			To:        r.to,
			Value:     uint256.MustFromBig(value),
			Data:      r.data,
			AuthList:  auths,
		}
	} else {
		to := r.to
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
	// Tracked before the pool has it: a block may carry it at once.
	c.sigMu.Lock()
	c.unmined[tx.Hash()] = 0
	c.sigMu.Unlock()
	// Straight to the pool (the admission rules eth_sendRawTransaction
	// applies), without a JSON round trip through the in-process RPC.
	if err := c.be.eth.APIBackend.SendTx(ctx, tx); err != nil {
		c.sigMu.Lock()
		delete(c.unmined, tx.Hash())
		c.sigMu.Unlock()
		if isPoolStateLimit(err) {
			return nil, err // the nonces are right; the caller retries
		}
		// Forget cached nonces: re-read them next time.
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

// isPoolStateLimit matches the txpool's EIP-7702 in-flight limits (errors
// arrive as strings through the in-process RPC).
func isPoolStateLimit(err error) bool {
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
	// The pool's pending nonce lags a new head for a moment (it resets
	// asynchronously), and does not count an authorization that will bump
	// a's nonce: take the later of it and the head's.
	st, err := c.be.state(nil)
	if err != nil {
		return 0, err
	}
	n := max(c.be.eth.TxPool().PoolNonce(a), st.GetNonce(a))
	c.nonces[a] = n
	return n, nil
}

// IsDelegated reports whether addr's code delegates to AccountImpl (at the
// latest block).
func (c *Chain) IsDelegated(ctx context.Context, addr common.Address) (bool, error) {
	code, err := c.Code(ctx, addr)
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
		var st *state.StateDB
		if len(p.mustBeDelegated) > 0 {
			var err error
			if st, err = c.be.state(&m.block); err != nil {
				return o, err
			}
		}
		for _, a := range p.mustBeDelegated {
			code := st.GetCode(a)
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
	c.sigMu.Lock()
	_, tracked := c.unmined[h]
	c.sigMu.Unlock()
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
	rc := c.be.rpc
	if m.block == 0 {
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
