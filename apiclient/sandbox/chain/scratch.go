package chain

import (
	"context"
	"crypto/ecdsa"

	"github.com/ethereum/go-ethereum/crypto"
)

// Scratch is a throwaway chain for dry runs ("would this policy allow this
// call?"): one chain that mines each transaction as it is submitted, no
// JSON-RPC, the same genesis (session account, test token) as the
// sandbox's chains. Close discards it.
type Scratch struct {
	*Chain
	m *Manager
}

// NewScratch starts a scratch chain with this chain ID (0: DefaultRPCChainID).
func NewScratch(chainID uint64) (*Scratch, error) {
	if chainID == 0 {
		chainID = DefaultRPCChainID
	}
	m := NewManager(Options{BlockTime: 0, MaxChains: 1})
	c, err := m.Get(chainID)
	if err != nil {
		m.Close()
		return nil, err
	}
	return &Scratch{Chain: c, m: m}, nil
}

// Close stops and frees the chain.
func (s *Scratch) Close() error { return s.m.Close() }

// NewFundedKey makes a fresh key and funds its address (ETH and TST), for
// the scratch account or a recipient.
func (s *Scratch) NewFundedKey(ctx context.Context) (*ecdsa.PrivateKey, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := s.Fund(ctx, crypto.PubkeyToAddress(k.PublicKey)); err != nil {
		return nil, err
	}
	return k, nil
}

// RevertData recovers the raw revert data of a mined, failed transaction
// (for decoding a custom error's arguments); ok is false when it cannot.
func (c *Chain) RevertData(ctx context.Context, p *Pending) (data []byte, ok bool) {
	if p == nil {
		return nil, false
	}
	c.sigMu.Lock()
	m := c.mined[p.Hash]
	c.sigMu.Unlock()
	if m == nil {
		if m = c.lookupMined(ctx, p.Hash); m == nil {
			return nil, false
		}
	}
	if m.receipt.Status == 1 {
		return nil, false
	}
	return c.simulateRevert(ctx, p, m)
}
