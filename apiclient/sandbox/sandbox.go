package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"walletconsole/apiclient/sandbox/chain"
)

// DefaultChainID is the chain guests are funded on at login (Base Sepolia's ID,
// as in the seed example).
const DefaultChainID uint64 = 84532

// MineOnDemand as Options.BlockTime mines a block for every transaction as it
// is submitted instead of on a timer.
const MineOnDemand time.Duration = -1

// Defaults of Options.
const (
	DefaultBlockTime = 250 * time.Millisecond
	DefaultTokenTTL  = 7 * 24 * time.Hour
)

// Version is reported by GET /v1/sandbox/info.
const Version = "walletconsole-sandbox/1"

// Limits of requests.
const (
	maxBodyBytes    = 1 << 20 // 1 MiB
	maxDuration     = 31_536_000
	maxRecipients   = 100
	maxCalls        = 100
	maxBalanceChain = 50
	defaultPage     = 20
	maxPage         = 100
)

// DefaultMaxChains bounds the simulated chains one sandbox runs (each costs
// ~20 MB) unless Options.MaxChains says otherwise.
const DefaultMaxChains = 16

// HTTP server limits: a client that trickles its request (headers or body)
// or never reads the answer is cut off instead of holding a connection
// forever. Variables so tests can shorten them.
var (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
)

const maxHeaderBytes = 64 << 10

// Funding of every wallet the sandbox creates, per chain.
var (
	// DefaultFundWei is the ETH each new wallet receives on a chain: 10 ETH.
	DefaultFundWei = new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18))
	// DefaultTokenMint is the test token (TST, 18 decimals) each new wallet
	// receives on a chain: 1000 TST.
	DefaultTokenMint = new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))
)

// Options configure a sandbox. The zero value is usable.
type Options struct {
	// ClientID and SecretKey are the credentials the sandbox accepts;
	// generated when empty (sandbox-client-<hex>, sk_sandbox_<random>).
	ClientID, SecretKey string
	// BlockTime is the interval between blocks: 0 means DefaultBlockTime
	// (250ms), MineOnDemand (any negative value) mines each transaction at once.
	BlockTime time.Duration
	// TokenTTL is the lifetime of guest tokens; 0 means 7 days.
	TokenTTL time.Duration
	// RPCAddr, when set (e.g. "127.0.0.1:8545"), serves the default chain's
	// JSON-RPC there, for cast and other tools.
	RPCAddr string
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// FundWei and TokenMint override DefaultFundWei and DefaultTokenMint.
	FundWei, TokenMint *big.Int
	// MaxChains bounds how many chains run at once; 0 means DefaultMaxChains.
	MaxChains int
	// CORSOrigins are browser origins allowed besides loopback ones
	// (http(s)://localhost, 127.0.0.1 or [::1] on any port), exactly as a
	// browser sends them ("https://demo.example:8443"); "null" allows file://
	// pages. Requests from any other origin are refused.
	CORSOrigins []string
	// Faults injects latency, errors, rate limits, dropped connections and
	// on-chain reverts, for testing clients. The zero value injects nothing.
	Faults Faults
}

// Server is the sandbox: HTTP handlers over a set of simulated chains.
type Server struct {
	clientID, secretKey string
	tokenTTL            time.Duration
	blockTime           time.Duration // as given to the chains (0 = on demand)
	rpcAddr             string
	fundWei, tokenMint  *big.Int
	jwtKey              []byte
	log                 *slog.Logger
	clock               atomic.Pointer[func() time.Time] // wall clock; tests replace it

	chains  *chain.Manager
	handler http.Handler
	origins map[string]bool // Options.CORSOrigins, normalised
	faults  *faultInjector  // nil: no faults

	wallets *walletStore
	txs     *txStore
	sched   *scheduler

	runCtx    context.Context // cancelled when Close gives up draining
	runCancel context.CancelFunc
	closeOnce sync.Once
	closeErr  error
	closedMu  sync.RWMutex
	closed    bool
}

// New builds a sandbox with its default chain (84532) ready.
func New(opts Options) (*Server, error) {
	s := &Server{
		clientID:  opts.ClientID,
		secretKey: opts.SecretKey,
		tokenTTL:  opts.TokenTTL,
		rpcAddr:   opts.RPCAddr,
		fundWei:   opts.FundWei,
		tokenMint: opts.TokenMint,
		log:       opts.Logger,
	}
	s.setClock(time.Now)
	if s.clientID == "" {
		s.clientID = "sandbox-client-" + randomHex(8)
	}
	if s.secretKey == "" {
		s.secretKey = "sk_sandbox_" + randomHex(24)
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	switch {
	case opts.BlockTime == 0:
		s.blockTime = DefaultBlockTime
	case opts.BlockTime < 0:
		s.blockTime = 0
	default:
		s.blockTime = opts.BlockTime
	}
	if s.fundWei == nil {
		s.fundWei = new(big.Int).Set(DefaultFundWei)
	}
	if s.tokenMint == nil {
		s.tokenMint = new(big.Int).Set(DefaultTokenMint)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	maxChains := opts.MaxChains
	if maxChains <= 0 {
		maxChains = DefaultMaxChains
	}
	origins, err := normaliseOrigins(opts.CORSOrigins)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.origins = origins
	if err := opts.Faults.Validate(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s.faults = newFaultInjector(opts.Faults)
	s.jwtKey = make([]byte, 32)
	if _, err := rand.Read(s.jwtKey); err != nil {
		return nil, fmt.Errorf("sandbox: token key: %w", err)
	}
	s.chains = chain.NewManager(chain.Options{
		BlockTime:  s.blockTime,
		FundWei:    s.fundWei,
		TokenMint:  s.tokenMint,
		RPCAddr:    s.rpcAddr,
		RPCChainID: DefaultChainID,
		MaxChains:  maxChains,
	})
	if _, err := s.chains.Get(DefaultChainID); err != nil {
		s.chains.Close()
		return nil, fmt.Errorf("sandbox: start chain %d: %w", DefaultChainID, err)
	}
	s.wallets = newWalletStore()
	s.txs = newTxStore()
	s.sched = newScheduler()
	s.runCtx, s.runCancel = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s, nil
}

// Handler serves /v1/... and /v1/sandbox/....
func (s *Server) Handler() http.Handler { return s.handler }

// ClientID is the client ID the sandbox accepts in x-client-id.
func (s *Server) ClientID() string { return s.clientID }

// SecretKey is the secret key the sandbox accepts in x-secret-key.
func (s *Server) SecretKey() string { return s.secretKey }

// Chains gives direct access to the simulated chains (tests: AdvanceTime).
func (s *Server) Chains() *chain.Manager { return s.chains }

// drainTimeout bounds how long Close waits for queued transactions.
var drainTimeout = 5 * time.Second

// Close stops accepting writes, lets queued transactions finish (bounded),
// fails any still pending with a message, and stops the chains. Every
// transaction ID ends in a final state. Safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closedMu.Lock()
		s.closed = true
		s.closedMu.Unlock()
		if !s.sched.wait(drainTimeout) {
			s.runCancel()
			s.sched.wait(2 * time.Second)
		}
		s.runCancel()
		s.txs.failPending("sandbox closed before the transaction completed", s.now())
		s.closeErr = s.chains.Close()
	})
	return s.closeErr
}

func (s *Server) isClosed() bool {
	s.closedMu.RLock()
	defer s.closedMu.RUnlock()
	return s.closed
}

// Running is a sandbox served on a loopback listener.
type Running struct {
	*Server
	// BaseURL is http://127.0.0.1:PORT/v1.
	BaseURL string

	srv      *http.Server
	stopOnce sync.Once
	stopErr  error
	done     chan struct{}
}

// Listen starts a sandbox and serves it on addr (loopback only; port 0 picks
// a free one; "" means 127.0.0.1:0) until ctx ends or Close is called.
func Listen(ctx context.Context, addr string, opts Options) (*Running, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := CheckAddr(addr); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	s, err := New(opts)
	if err != nil {
		ln.Close()
		return nil, err
	}
	r := &Running{
		Server:  s,
		BaseURL: "http://" + ln.Addr().String() + "/v1",
		srv: &http.Server{
			Handler:           s.Handler(),
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		},
		done: make(chan struct{}),
	}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("sandbox serve", "err", err)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			r.Close()
		case <-r.done:
		}
	}()
	return r, nil
}

// URL is BaseURL (so a *Running serves as flows.EmbeddedSandbox).
func (r *Running) URL() string { return r.BaseURL }

// Close stops the listener, then the sandbox (draining transactions).
func (r *Running) Close() error {
	r.stopOnce.Do(func() {
		close(r.done)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		err := r.srv.Shutdown(ctx)
		if err != nil {
			r.srv.Close()
		}
		r.stopErr = errors.Join(r.Server.Close())
	})
	return r.stopErr
}

// CheckAddr checks a listen address: host:port with a loopback host
// (127.0.0.1, ::1 or localhost) and a port from 0 to 65535.
func CheckAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q is not host:port (e.g. 127.0.0.1:8787)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if !isLoopback(host) {
		return fmt.Errorf("address %q is not loopback; the sandbox serves 127.0.0.1, ::1 or localhost only", addr)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func (s *Server) now() time.Time { return (*s.clock.Load())() }

func (s *Server) setClock(f func() time.Time) { s.clock.Store(&f) }

// jwtOptions are the token parser's checks.
func (s *Server) jwtOptions() []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(s.clientID),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	}
}
