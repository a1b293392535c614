package chain

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/beacon/engine"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	ethservice "github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/miner"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
)

// backend is an in-memory go-ethereum node (the same pieces
// ethclient/simulated assembles: node, eth service, filter API) with our own
// block sealer. We seal ourselves because the simulated beacon stamps every
// block max(wall clock, parent+1 s) and only lets time jump on an empty pool;
// the sandbox needs to choose each block's timestamp (wall clock + the offset
// advance-time added) while transactions are pending.
type backend struct {
	stack  *node.Node
	eth    *ethservice.Ethereum
	rpc    *rpc.Client
	client *ethclient.Client
	// syncMu serialises TxPool.Sync: the pool keeps one waiter, so a
	// second concurrent Sync would leave the first blocked for ever.
	syncMu sync.Mutex
}

// syncPool waits until the pool has caught up with the head.
func (b *backend) syncPool() error {
	b.syncMu.Lock()
	defer b.syncMu.Unlock()
	return b.eth.TxPool().Sync()
}

func newNodeBackend(alloc types.GenesisAlloc, configure func(*node.Config, *ethconfig.Config)) (*backend, error) {
	nodeConf := node.DefaultConfig
	nodeConf.DataDir = ""
	nodeConf.P2P = p2p.Config{NoDiscovery: true}

	genesisAlloc := core.SystemContractAllocs()
	maps.Copy(genesisAlloc, alloc)
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{Alloc: genesisAlloc}
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true
	ethConf.LogNoHistory = true
	configure(&nodeConf, &ethConf)

	stack, err := node.New(&nodeConf)
	if err != nil {
		return nil, err
	}
	be, err := ethservice.New(stack, &ethConf)
	if err != nil {
		stack.Close()
		return nil, err
	}
	fs := filters.NewFilterSystem(be.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(fs)}})
	if err := stack.Start(); err != nil {
		stack.Close()
		return nil, err
	}
	rc := stack.Attach()
	return &backend{stack: stack, eth: be, rpc: rc, client: ethclient.NewClient(rc)}, nil
}

func (b *backend) close() error {
	b.client.Close()
	return b.stack.Close()
}

// head is the current block's header.
func (b *backend) head() *types.Header { return b.eth.BlockChain().CurrentBlock() }

// state is the state after block n, or after the head (n nil): read in
// process, as eth_getCode and friends would, without their JSON.
func (b *backend) state(n *uint64) (*state.StateDB, error) {
	bc := b.eth.BlockChain()
	h := bc.CurrentBlock()
	if n != nil {
		if h = bc.GetHeaderByNumber(*n); h == nil {
			return nil, fmt.Errorf("block %d not found", *n)
		}
	}
	return bc.StateAt(h.Root, h.Number, h.Time)
}

// pendingCount is the number of executable transactions in the pool (after
// the pool has caught up with the head).
func (b *backend) pendingCount() int {
	_ = b.syncPool()
	n, _ := b.eth.TxPool().Stats()
	return n
}

// seal builds a block on the head stamped ts (at least head+1) carrying
// every executable pool transaction that fits, and makes it the head.
func (b *backend) seal(ts uint64) (*types.Block, error) {
	bc := b.eth.BlockChain()
	parent := bc.CurrentBlock()
	if ts <= parent.Time {
		ts = parent.Time + 1
	}
	// The pool follows a new head asynchronously: wait for it, or the
	// builder may see transactions the last block already carried.
	if err := b.syncPool(); err != nil {
		return nil, fmt.Errorf("txpool sync: %w", err)
	}
	var random common.Hash
	_, _ = rand.Read(random[:])
	args := &miner.BuildPayloadArgs{
		Parent:       parent.Hash(),
		Timestamp:    ts,
		Random:       random,
		Withdrawals:  types.Withdrawals{},
		BeaconRoot:   &common.Hash{},
		Version:      engine.PayloadV3,
		FeeRecipient: common.Address{},
	}
	payload, err := b.eth.Miner().BuildPayload(context.Background(), args, false)
	if err != nil {
		return nil, fmt.Errorf("build block: %w", err)
	}
	env := payload.ResolveFull()
	if env == nil || env.ExecutionPayload == nil {
		return nil, errors.New("build block: no payload")
	}
	block, err := engine.ExecutableDataToBlock(*env.ExecutionPayload, []common.Hash{}, &common.Hash{}, env.Requests)
	if err != nil {
		return nil, fmt.Errorf("build block: %w", err)
	}
	// The payload's transactions are decoded afresh; carry the pool's own
	// objects instead (same hashes, so the same block): their senders are
	// known, so the import and the pools need not recover them again.
	if txs := block.Transactions(); len(txs) > 0 {
		pooled := make(types.Transactions, len(txs))
		for i, tx := range txs {
			if pooled[i] = b.eth.TxPool().Get(tx.Hash()); pooled[i] == nil {
				pooled = nil
				break
			}
		}
		if pooled != nil {
			block = block.WithBody(types.Body{Transactions: pooled, Withdrawals: block.Withdrawals()})
		}
	}
	if _, err := bc.InsertChain(types.Blocks{block}); err != nil {
		return nil, fmt.Errorf("insert block: %w", err)
	}
	// Instant finality, as a dev chain: tools asking for "safe" or
	// "finalized" see the head.
	bc.SetSafe(block.Header())
	bc.SetFinalized(block.Header())
	return block, nil
}

// estimateGas works out a gas limit for call on the head's state in one EVM
// run, in process: run it with the per-transaction cap, then take its peak
// gas use (before refunds) plus the stipend, times 64/63 (what a call one
// level down keeps back). eth_estimateGas (go-ethereum's gasestimator)
// confirms that figure with a second run and may bisect further; callers
// add 25% headroom anyway, which also covers calls nested a few levels
// deep. A plain transfer to an account without code costs exactly what the
// run used. A reverting call is an error.
func (b *backend) estimateGas(ctx context.Context, call ethereum.CallMsg) (uint64, error) {
	bc := b.eth.BlockChain()
	head := bc.CurrentBlock()
	st, err := bc.StateAt(head.Root, head.Number, head.Time)
	if err != nil {
		return 0, err
	}
	value := new(uint256.Int)
	if call.Value != nil {
		value = uint256.MustFromBig(call.Value)
	}
	msg := &core.Message{
		From:                  call.From,
		To:                    call.To,
		Value:                 value,
		GasLimit:              min(head.GasLimit, params.MaxTxGas),
		GasPrice:              new(uint256.Int),
		GasFeeCap:             new(uint256.Int),
		GasTipCap:             new(uint256.Int),
		Data:                  call.Data,
		SetCodeAuthorizations: call.AuthorizationList,
	}
	msg.SkipNonceCheck().SkipEOACheck().SkipGasLimitCapCheck()
	plain := len(call.Data) == 0 && len(call.AuthorizationList) == 0 && call.To != nil && st.GetCodeSize(*call.To) == 0
	evmCtx := core.NewEVMBlockContext(head, bc, nil)
	evmCtx.BaseFee = new(big.Int) // gas price 0: no base fee to pay
	evm := vm.NewEVM(evmCtx, st, bc.Config(), vm.Config{NoBaseFee: true})
	defer evm.Release()
	stop := context.AfterFunc(ctx, evm.Cancel)
	defer stop()
	res, err := core.ApplyMessage(evm, msg, nil)
	if err == nil {
		err = st.Error()
	}
	switch {
	case err != nil:
		return 0, err
	case ctx.Err() != nil:
		return 0, ctx.Err()
	case res.Failed():
		return 0, fmt.Errorf("execution reverted: %w", res.Err)
	case plain:
		return res.UsedGas, nil
	}
	return (res.MaxUsedGas + params.CallStipend) * 64 / 63, nil
}
