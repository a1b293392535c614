// Package chain runs the sandbox's local EVM chains (go-ethereum's node
// stack in memory, as its simulated backend assembles it, with our own block
// sealer; pinned to Osaka rules) with the SessionAccount contract in genesis
// at the hosted delegation target and a TestToken, and performs the on-chain
// side of the Wallets API session-key flow: EIP-7702 delegation, grants
// (createSessionWithSig), session executions (executeWithSig on the session
// key's own delegated account → execute on the user's account) and plain
// transactions, with revert reasons decoded from the contracts' custom errors.
//
// All gas is paid by a relayer key funded in genesis (except SubmitDirect,
// where the wallet pays); the relayer and faucet keys are made at random per
// Manager. Chain time is the wall clock plus what AdvanceTime added: blocks
// carry everything pending and never lead that by more than 2 s, whatever
// the load. Every method is safe for concurrent use.
package chain

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// Defaults for Options.
const (
	DefaultRPCChainID = 84532
)

var (
	// DefaultFundWei is the ETH a funded wallet receives: 10 ETH.
	DefaultFundWei = new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18))
	// DefaultTokenMint is the TST minted to a funded wallet: 1000 TST (18 decimals).
	DefaultTokenMint = new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))
)

// ErrClosed is returned by methods of a closed Manager or Chain.
var ErrClosed = errors.New("chain: closed")

// ErrTooManyChains is returned by Get when starting the chain would exceed
// Options.MaxChains.
var ErrTooManyChains = errors.New("chain: too many chains")

// Options configure a Manager's chains.
type Options struct {
	// BlockTime: 0 seals a block as soon as transactions are pending; >0
	// seals one at most every interval while transactions are pending.
	// Funding alone lingers up to one interval (250 ms with 0) for other
	// transactions to share its block. Either way the clock has the last
	// word: under load, about one block a second carrying everything pending.
	BlockTime time.Duration
	// FundWei is the ETH Fund gives each wallet (default DefaultFundWei, 10 ETH).
	FundWei *big.Int
	// TokenMint is the TST Fund mints to each wallet (default DefaultTokenMint, 1000e18).
	TokenMint *big.Int
	// RPCAddr, if set (e.g. "127.0.0.1:8545"), serves JSON-RPC (eth, net,
	// web3) of chain RPCChainID over HTTP. Loopback hosts only.
	RPCAddr string
	// RPCChainID is the chain served on RPCAddr (default 84532).
	RPCChainID uint64
	// MaxChains bounds how many chains Get starts (0 = no bound). It is
	// checked under the manager's lock, so concurrent first uses of many
	// chain IDs cannot overshoot it.
	MaxChains int
}

// Manager holds one lazily created chain per chain ID.
type Manager struct {
	opts Options
	keys chainKeys

	mu     sync.Mutex
	chains map[uint64]*Chain
	rpcErr error
	closed bool
}

// NewManager returns a manager; chains are created on first Get. If
// opts.RPCAddr is set, chain opts.RPCChainID is created at once so its
// JSON-RPC endpoint is up; a failure to do so is reported by Get(RPCChainID)
// and RPCErr.
func NewManager(opts Options) *Manager {
	if opts.FundWei == nil {
		opts.FundWei = new(big.Int).Set(DefaultFundWei)
	}
	if opts.TokenMint == nil {
		opts.TokenMint = new(big.Int).Set(DefaultTokenMint)
	}
	if opts.RPCChainID == 0 {
		opts.RPCChainID = DefaultRPCChainID
	}
	m := &Manager{opts: opts, chains: map[uint64]*Chain{}}
	m.keys, m.rpcErr = newChainKeys()
	if m.rpcErr != nil {
		m.closed = true
		return m
	}
	if opts.RPCAddr != "" {
		if _, err := m.Get(opts.RPCChainID); err != nil {
			m.rpcErr = err
		}
	}
	return m
}

// Options returns the effective options (defaults filled in).
func (m *Manager) Options() Options { return m.opts }

// RPCURL is the HTTP JSON-RPC endpoint ("" if not serving).
func (m *Manager) RPCURL() string {
	if m.opts.RPCAddr == "" || m.rpcErr != nil {
		return ""
	}
	return "http://" + m.opts.RPCAddr
}

// RPCErr reports why the JSON-RPC endpoint could not be started, if it could not.
func (m *Manager) RPCErr() error { return m.rpcErr }

// Get returns the chain with this ID, creating it on first use. 0 is an error.
func (m *Manager) Get(chainID uint64) (*Chain, error) {
	if chainID == 0 {
		return nil, errors.New("chain: chain ID must be positive")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	if c, ok := m.chains[chainID]; ok {
		return c, nil
	}
	if chainID == m.opts.RPCChainID && m.rpcErr != nil {
		return nil, m.rpcErr
	}
	if m.opts.MaxChains > 0 && len(m.chains) >= m.opts.MaxChains {
		return nil, fmt.Errorf("%w: chain %d would exceed the limit of %d", ErrTooManyChains, chainID, m.opts.MaxChains)
	}
	var rpcHost string
	var rpcPort int
	if m.opts.RPCAddr != "" && chainID == m.opts.RPCChainID {
		h, p, err := loopbackAddr(m.opts.RPCAddr)
		if err != nil {
			return nil, err
		}
		rpcHost, rpcPort = h, p
	}
	c, err := newChain(chainID, m.opts, m.keys, rpcHost, rpcPort)
	if err != nil {
		return nil, err
	}
	m.chains[chainID] = c
	return c, nil
}

// Lookup returns the chain with this ID if it is running; it never starts
// one (for requests that may only read).
func (m *Manager) Lookup(chainID uint64) (*Chain, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.chains[chainID]
	return c, ok && !m.closed
}

// Chains lists the IDs of the chains created so far, ascending.
func (m *Manager) Chains() []uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]uint64, 0, len(m.chains))
	for id := range m.chains {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Close stops every chain's miner and JSON-RPC server and frees the chains.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	chains := m.chains
	m.chains = map[uint64]*Chain{}
	m.mu.Unlock()
	var errs []error
	for _, c := range chains {
		errs = append(errs, c.close())
	}
	return errors.Join(errs...)
}

func loopbackAddr(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("chain: RPC address %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return "", 0, fmt.Errorf("chain: RPC address %q: bad port", addr)
	}
	if host == "localhost" {
		return "127.0.0.1", p, nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", 0, fmt.Errorf("chain: RPC address %q: host must be loopback", addr)
	}
	return host, p, nil
}

// chainKeys are the relayer's and the faucet's keys, made at random for each
// Manager (each sandbox run) and funded in every chain's genesis: nothing
// outside the process can sign as them.
type chainKeys struct {
	relayer, faucet *ecdsa.PrivateKey
}

func newChainKeys() (chainKeys, error) {
	r, err := crypto.GenerateKey()
	if err != nil {
		return chainKeys{}, fmt.Errorf("chain: relayer key: %w", err)
	}
	f, err := crypto.GenerateKey()
	if err != nil {
		return chainKeys{}, fmt.Errorf("chain: faucet key: %w", err)
	}
	return chainKeys{relayer: r, faucet: f}, nil
}
