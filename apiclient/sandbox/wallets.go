package sandbox

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
)

type walletKind string

const (
	kindGuest  walletKind = "guest"
	kindServer walletKind = "server"
)

// wallet is a key the sandbox holds: a guest user's EOA or a server wallet.
type wallet struct {
	kind      walletKind
	key       *ecdsa.PrivateKey
	addr      common.Address
	createdAt time.Time
	// id is the guest's sessionId or the server wallet's identifier.
	id string
}

func (w *wallet) wire() apiclient.Wallet {
	p := apiclient.Profile{Type: string(w.kind)}
	if w.kind == kindGuest {
		p.ID = w.id
	} else {
		p.Identifier = w.id
	}
	return apiclient.Wallet{
		Address:   w.addr.Hex(),
		CreatedAt: isoTime(w.createdAt),
		Profiles:  []apiclient.Profile{p},
	}
}

type fundKey struct {
	chainID uint64
	addr    common.Address
}

// fundState makes funding once per (chain, address), retried after a failure.
type fundState struct {
	mu   sync.Mutex
	done bool           // mined
	f    *chain.Funding // handed to the pool, not known mined
}

type walletStore struct {
	mu      sync.Mutex
	guests  map[string]*wallet // by sessionId
	servers map[string]*wallet // by identifier
	order   []*wallet          // server wallets, creation order
	byAddr  map[common.Address]*wallet
	funds   map[fundKey]*fundState
}

func newWalletStore() *walletStore {
	return &walletStore{
		guests:  map[string]*wallet{},
		servers: map[string]*wallet{},
		byAddr:  map[common.Address]*wallet{},
		funds:   map[fundKey]*fundState{},
	}
}

func newKey() (*ecdsa.PrivateKey, common.Address, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return nil, common.Address{}, err
	}
	return k, crypto.PubkeyToAddress(k.PublicKey), nil
}

// getOrCreate returns the wallet of this kind and id, creating it (fresh
// key) if absent; created reports a new one.
func (ws *walletStore) getOrCreate(kind walletKind, id string, now time.Time) (w *wallet, created bool, err error) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	m := ws.guests
	if kind == kindServer {
		m = ws.servers
	}
	if w := m[id]; w != nil {
		return w, false, nil
	}
	k, addr, err := newKey()
	if err != nil {
		return nil, false, err
	}
	w = &wallet{kind: kind, key: k, addr: addr, createdAt: now.UTC(), id: id}
	m[id] = w
	ws.byAddr[addr] = w
	if kind == kindServer {
		ws.order = append(ws.order, w)
	}
	return w, true, nil
}

func (ws *walletStore) byAddress(a common.Address) *wallet {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.byAddr[a]
}

func (ws *walletStore) serverWallets() []*wallet {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return append([]*wallet(nil), ws.order...)
}

// ensureFunded funds a held wallet on a chain the first time it is used
// there (ETH and TST). The funding is handed to the pool at once; with wait
// the call also waits until it is mined (for whatever needs the funds:
// balance checks, the wallet paying gas). Concurrent callers share one
// funding; a failed one is retried by the next caller.
func (ws *walletStore) ensureFunded(ctx context.Context, c *chain.Chain, addr common.Address, wait bool) error {
	k := fundKey{c.ChainID(), addr}
	ws.mu.Lock()
	if ws.byAddr[addr] == nil {
		ws.mu.Unlock()
		return nil // not ours: nothing to fund
	}
	st := ws.funds[k]
	if st == nil {
		st = &fundState{}
		ws.funds[k] = st
	}
	ws.mu.Unlock()
	st.mu.Lock()
	if st.done {
		st.mu.Unlock()
		return nil
	}
	f := st.f
	if f == nil {
		var err error
		if f, err = c.StartFund(ctx, addr); err != nil {
			st.mu.Unlock()
			return fmt.Errorf("funding %s on chain %d: %w", addr.Hex(), c.ChainID(), err)
		}
		st.f = f
	}
	st.mu.Unlock()
	if !wait {
		return nil
	}
	err := f.Wait(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case err == nil:
		st.done, st.f = true, nil
		return nil
	case ctx.Err() == nil && st.f == f:
		st.f = nil // failed on chain (or dropped): the next caller funds again
	}
	return fmt.Errorf("funding %s on chain %d: %w", addr.Hex(), c.ChainID(), err)
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
