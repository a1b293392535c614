package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
)

func checkChainID(chainID uint64) error {
	if chainID == 0 {
		return badRequest("chainId is required and must be a positive integer (e.g. %d)", DefaultChainID)
	}
	if chainID > 1<<53 {
		return badRequest("chainId %d is too large (at most 2^53)", chainID)
	}
	return nil
}

// chainFor returns the chain for a request's chainId, starting it on first
// use. Only callers holding the secret key or a user's token get here.
func (s *Server) chainFor(chainID uint64) (*chain.Chain, error) {
	if err := checkChainID(chainID); err != nil {
		return nil, err
	}
	c, err := s.chains.Get(chainID)
	if err != nil {
		if errors.Is(err, chain.ErrClosed) {
			return nil, errShuttingDown
		}
		if errors.Is(err, chain.ErrTooManyChains) {
			return nil, badRequest("chainId %d would start a new chain, but the sandbox already runs its maximum of %d chains (%v)", chainID, s.chains.Options().MaxChains, s.chains.Chains())
		}
		return nil, internalError("starting chain %d: %v", chainID, err)
	}
	return c, nil
}

// readChain is the chain for a read: started on first use if mayStart (the
// secret key), else only if it already runs. A chain that is not running
// is a 400 rather than a made-up empty answer: its wallets are funded when
// it starts, so "0" would be wrong a moment later.
func (s *Server) readChain(chainID uint64, mayStart bool) (*chain.Chain, error) {
	if mayStart {
		return s.chainFor(chainID)
	}
	if err := checkChainID(chainID); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, errShuttingDown
	}
	c, ok := s.chains.Lookup(chainID)
	if !ok {
		return nil, badRequest("chain %d is not running in this sandbox (running: %v); a chain starts on its first write or grant, "+
			"or a read with x-secret-key; x-client-id alone does not start one", chainID, s.chains.Chains())
	}
	return c, nil
}

var errShuttingDown = &apiError{http.StatusServiceUnavailable, apiclient.CodeInternal, "the sandbox is shutting down"}

func (s *Server) acceptingWrites() error {
	if s.isClosed() {
		return errShuttingDown
	}
	return nil
}

// fund hands the funding of those of addrs new to c to the pool (see
// ensureFunded); with wait it also waits until they are mined.
func (s *Server) fund(ctx context.Context, c *chain.Chain, wait bool, addrs ...common.Address) error {
	for _, a := range addrs {
		if err := s.wallets.ensureFunded(ctx, c, a, wait); err != nil {
			return internalError("%v", err)
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// Auth and wallets

func (s *Server) handleAuthComplete(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireClientID(r); err != nil {
		return nil, err
	}
	var req apiclient.AuthCompleteRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	if req.Method == "" {
		return nil, badRequest("method is required (the sandbox supports \"guest\")")
	}
	if req.Method != "guest" {
		return nil, badRequest("method %q is not supported by the sandbox (only \"guest\")", clip(req.Method, 40))
	}
	sid := strings.TrimSpace(req.SessionID)
	if len(sid) > 256 {
		return nil, badRequest("sessionId is longer than 256 characters")
	}
	if sid == "" {
		sid = "guest-" + randomHex(8)
	}
	u, created, err := s.wallets.getOrCreate(kindGuest, sid, s.now())
	if err != nil {
		return nil, internalError("creating the guest wallet: %v", err)
	}
	c, err := s.chainFor(DefaultChainID)
	if err != nil {
		return nil, err
	}
	// Funding rides the next block; login does not wait for it.
	if err := s.fund(r.Context(), c, false, u.addr); err != nil {
		return nil, err
	}
	tok, _, err := s.issueToken(u.addr)
	if err != nil {
		return nil, internalError("signing the token: %v", err)
	}
	return rawBody{apiclient.AuthCompleteResponse{
		IsNewUser:     created,
		Token:         tok,
		Type:          "guest",
		WalletAddress: u.addr.Hex(),
	}}, nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) (any, error) {
	u, err := s.requireUser(r)
	if err != nil {
		return nil, err
	}
	return u.wire(), nil
}

func (s *Server) handleCreateServerWallet(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireSecret(r); err != nil {
		return nil, err
	}
	var req apiclient.CreateServerWalletRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	id := strings.TrimSpace(req.Identifier)
	if id == "" {
		return nil, badRequest("identifier is required")
	}
	if len(id) > 256 {
		return nil, badRequest("identifier is longer than 256 characters")
	}
	sw, _, err := s.wallets.getOrCreate(kindServer, id, s.now())
	if err != nil {
		return nil, internalError("creating the server wallet: %v", err)
	}
	c, err := s.chainFor(DefaultChainID)
	if err != nil {
		return nil, err
	}
	if err := s.fund(r.Context(), c, false, sw.addr); err != nil {
		return nil, err
	}
	return sw.wire(), nil
}

func (s *Server) handleListServerWallets(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireSecret(r); err != nil {
		return nil, err
	}
	page, err := queryInt(r, "page", 1, 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(r, "limit", defaultPage, 1, maxPage)
	if err != nil {
		return nil, err
	}
	all := s.wallets.serverWallets()
	start, end, p := paginate(len(all), page, limit)
	out := apiclient.ServerWalletList{Pagination: p, Wallets: []apiclient.Wallet{}}
	for _, sw := range all[start:end] {
		out.Wallets = append(out.Wallets, sw.wire())
	}
	return out, nil
}

// ---------------------------------------------------------------------
// Session keys

func (s *Server) handleCreateSessionKey(w http.ResponseWriter, r *http.Request) (any, error) {
	u, err := s.requireUser(r)
	if err != nil {
		return nil, err
	}
	if err := s.acceptingWrites(); err != nil {
		return nil, err
	}
	var req apiclient.CreateSessionKeyRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	c, err := s.chainFor(req.ChainID)
	if err != nil {
		return nil, err
	}
	keyAddr, err := parseAddressField("sessionKeyAddress", req.SessionKeyAddress)
	if err != nil {
		return nil, err
	}
	key := s.wallets.byAddress(keyAddr)
	if key == nil || key.kind != kindServer {
		return nil, badRequest("sessionKeyAddress %s is not a server wallet of this sandbox (create one with POST /v1/wallets/server)", keyAddr.Hex())
	}
	switch {
	case req.DurationInSeconds <= 0:
		return nil, badRequest("durationInSeconds must be > 0 (got %d)", req.DurationInSeconds)
	case req.DurationInSeconds > maxDuration:
		return nil, badRequest("durationInSeconds %d exceeds the sandbox maximum of %d (365 days)", req.DurationInSeconds, maxDuration)
	}
	if req.GrantFullPermissions == nil && (len(req.CallPolicies) > 0 || len(req.TransferPolicies) > 0) {
		return nil, badRequest("grantFullPermissions is missing (or null) while callPolicies/transferPolicies are set: " +
			"thirdweb's SDK treats a missing flag as full permissions (isWildcard: grantFullPermissions ?? true), " +
			"so the policies would be dropped and the session key could do anything. " +
			"Send \"grantFullPermissions\": false to enforce the policies")
	}
	spec := chain.SessionSpec{
		Signer:           keyAddr,
		IsWildcard:       req.FullPermissions(),
		CallPolicies:     []chain.CallSpec{},
		TransferPolicies: []chain.TransferSpec{},
	}
	if !spec.IsWildcard {
		for i, p := range req.CallPolicies {
			cs, err := toChainCallSpec(fmt.Sprintf("callPolicies[%d]", i), p)
			if err != nil {
				return nil, err
			}
			spec.CallPolicies = append(spec.CallPolicies, cs)
		}
		for i, p := range req.TransferPolicies {
			ts, err := toChainTransferSpec(fmt.Sprintf("transferPolicies[%d]", i), p)
			if err != nil {
				return nil, err
			}
			spec.TransferPolicies = append(spec.TransferPolicies, ts)
		}
		if err := checkPolicies(u.addr, spec); err != nil {
			return nil, err
		}
	}
	if _, err := rand.Read(spec.Uid[:]); err != nil {
		return nil, internalError("uid: %v", err)
	}
	// The relayer pays for the grant: the user's funds can come later.
	if err := s.fund(r.Context(), c, false, u.addr); err != nil {
		return nil, err
	}
	// Expiry from the chain's clock (which advance-time moves), at acceptance.
	spec.ExpiresAt = big.NewInt(c.Now().Add(time.Duration(req.DurationInSeconds) * time.Second).Unix())

	user := u
	rec := s.txs.add(newRecord{
		chainID:  c.ChainID(),
		clientID: s.clientID,
		from:     user.addr,
		account:  user.addr,
		now:      s.now(),
	})
	s.enqueue(&job{
		rec:   rec,
		chain: c,
		lanes: []laneKey{{c.ChainID(), user.addr}},
		submit: func(ctx context.Context) (*chain.Pending, error) {
			return c.SubmitGrant(ctx, user.key, spec)
		},
		paramsFromPending: true,
	})
	id := rec.tx.ID
	return rawBody{apiclient.CreateSessionKeyResponse{
		TransactionID: id,
		Result:        &apiclient.TransactionIDs{TransactionIDs: []string{id}},
	}}, nil
}

// sessionCtx is the execution context of send and contracts/write.
type sessionCtx struct {
	account *wallet // the user whose account runs the calls (session) — nil if direct
	key     *wallet // the session key (session) or the from wallet (direct)
}

func (sc sessionCtx) session() bool { return sc.account != nil }

// payer is the account the value leaves.
func (sc sessionCtx) payer() common.Address {
	if sc.account != nil {
		return sc.account.addr
	}
	return sc.key.addr
}

// resolveContext reads x-account-address / x-session-key-address and body
// from, per docs/api.md §1 and §3.6.
func (s *Server) resolveContext(r *http.Request, from string) (sessionCtx, error) {
	acctH := strings.TrimSpace(r.Header.Get("x-account-address"))
	keyH := strings.TrimSpace(r.Header.Get("x-session-key-address"))
	var sc sessionCtx
	switch {
	case acctH != "" && keyH != "":
		acct, err := parseAddressField("x-account-address header", acctH)
		if err != nil {
			return sc, err
		}
		keyAddr, err := parseAddressField("x-session-key-address header", keyH)
		if err != nil {
			return sc, err
		}
		if from != "" {
			f, err := parseAddressField("from", from)
			if err != nil {
				return sc, err
			}
			if f != keyAddr {
				return sc, badRequest("from %s must equal the x-session-key-address header %s", f.Hex(), keyAddr.Hex())
			}
		}
		sc.account = s.wallets.byAddress(acct)
		if sc.account == nil || sc.account.kind != kindGuest {
			return sc, notFound("x-account-address %s is not a user of this sandbox (log in with POST /v1/auth/complete)", acct.Hex())
		}
		sc.key = s.wallets.byAddress(keyAddr)
		if sc.key == nil || sc.key.kind != kindServer {
			return sc, badRequest("x-session-key-address %s is not a server wallet of this sandbox", keyAddr.Hex())
		}
	case acctH != "" || keyH != "":
		return sc, badRequest("x-account-address and x-session-key-address must be sent together (session-key execution) or not at all")
	default:
		if from == "" {
			return sc, badRequest("from is required without the x-account-address / x-session-key-address headers")
		}
		f, err := parseAddressField("from", from)
		if err != nil {
			return sc, err
		}
		sc.key = s.wallets.byAddress(f)
		if sc.key == nil {
			return sc, badRequest("from %s is not a wallet this sandbox holds (a guest user or a server wallet)", f.Hex())
		}
		if sc.key.kind == kindGuest {
			// The secret key is the project's, not the user's: acting as a
			// user needs that user's token, else a scoped grant limits nothing.
			if r.Header.Get("Authorization") == "" {
				return sc, forbidden("from %s is a user's wallet: with x-secret-key alone, from must be a server wallet (POST /v1/wallets/server). "+
					"Act for the user with a session key (x-account-address + x-session-key-address) or send the user's token (Authorization: Bearer <token>)", f.Hex())
			}
			u, err := s.bearerUser(r)
			if err != nil {
				return sc, err
			}
			if u.addr != f {
				return sc, forbidden("from %s is not the user of the token (%s): a user's token acts only for that user", f.Hex(), u.addr.Hex())
			}
		}
	}
	return sc, nil
}

// queueCall records and queues one call in the given context.
func (s *Server) queueCall(c *chain.Chain, sc sessionCtx, call chain.Call, batchIndex int) string {
	n := newRecord{
		chainID:    c.ChainID(),
		clientID:   s.clientID,
		from:       sc.key.addr,
		account:    sc.payer(),
		params:     wireCalls([]chain.Call{call}),
		batchIndex: batchIndex,
		now:        s.now(),
	}
	j := &job{chain: c}
	key := sc.key
	if sc.session() {
		ka := key.addr
		n.sessionKey = &ka
		account := sc.account.addr
		calls := []chain.Call{call}
		if s.faults.revert() {
			calls = append(calls, injectedRevert(c))
			n.params = wireCalls(calls)
		}
		j.lanes = []laneKey{{c.ChainID(), account}, {c.ChainID(), ka}}
		j.submit = func(ctx context.Context) (*chain.Pending, error) {
			return c.SubmitExecute(ctx, key.key, account, calls)
		}
	} else {
		j.lanes = []laneKey{{c.ChainID(), key.addr}}
		j.submit = func(ctx context.Context) (*chain.Pending, error) {
			return c.SubmitDirect(ctx, key.key, call)
		}
	}
	j.rec = s.txs.add(n)
	s.enqueue(j)
	return j.rec.tx.ID
}

// fundContext funds the wallets a send or write acts with, and waits until
// the payer's funding is mined when the verdict depends on it: value leaves
// the account (checkFunds reads the latest block), or the wallet sends its
// own transaction and pays the gas. A session execution moving no value is
// paid by the relayer and waits for nothing.
func (s *Server) fundContext(ctx context.Context, c *chain.Chain, sc sessionCtx, movesValue bool) error {
	if sc.session() {
		if err := s.fund(ctx, c, false, sc.key.addr); err != nil {
			return err
		}
		return s.fund(ctx, c, movesValue, sc.account.addr)
	}
	return s.fund(ctx, c, true, sc.key.addr)
}

// checkFunds refuses value the payer does not have (a cheap check at
// acceptance; later failures end FAILED on chain).
func (s *Server) checkFunds(ctx context.Context, c *chain.Chain, payer common.Address, wei, tst *big.Int, status int) error {
	if wei != nil && wei.Sign() > 0 {
		bal, err := c.Balance(ctx, payer)
		if err != nil {
			return internalError("reading balance: %v", err)
		}
		if bal.Cmp(wei) < 0 {
			return &apiError{status, apiclient.CodeInsufficientFunds, fmt.Sprintf(
				"insufficient funds: %s has %s ETH on chain %d, the request sends %s ETH",
				payer.Hex(), apiclient.FormatEther(bal), c.ChainID(), apiclient.FormatEther(wei))}
		}
	}
	if tst != nil && tst.Sign() > 0 {
		bal, err := c.TokenBalance(ctx, payer)
		if err != nil {
			return internalError("reading token balance: %v", err)
		}
		if bal.Cmp(tst) < 0 {
			return &apiError{status, apiclient.CodeInsufficientFunds, fmt.Sprintf(
				"insufficient funds: %s has %s TST on chain %d, the request sends %s TST",
				payer.Hex(), apiclient.FormatEther(bal), c.ChainID(), apiclient.FormatEther(tst))}
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// Send and write

func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireSecret(r); err != nil {
		return nil, err
	}
	if err := s.acceptingWrites(); err != nil {
		return nil, err
	}
	var req apiclient.SendRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	c, err := s.chainFor(req.ChainID)
	if err != nil {
		return nil, err
	}
	if req.TokenID != "" {
		return nil, badRequest("tokenId (NFT transfers) is not supported by the sandbox")
	}
	switch n := len(req.Recipients); {
	case n == 0:
		return nil, badRequest("recipients is required: 1 to %d entries of {address, quantity}", maxRecipients)
	case n > maxRecipients:
		return nil, badRequest("recipients has %d entries; at most %d per request", n, maxRecipients)
	}
	token, err := s.sendToken(r.Context(), c, req.TokenAddress)
	if err != nil {
		return nil, err
	}
	calls := make([]chain.Call, len(req.Recipients))
	total := new(big.Int)
	for i, rc := range req.Recipients {
		to, err := parseAddressField(fmt.Sprintf("recipients[%d].address", i), rc.Address)
		if err != nil {
			return nil, err
		}
		if rc.Quantity == "" {
			return nil, badRequest("recipients[%d].quantity is required (wei, as a decimal string)", i)
		}
		q, err := parseDecimalField(fmt.Sprintf("recipients[%d].quantity", i), rc.Quantity)
		if err != nil {
			return nil, err
		}
		calls[i] = chain.Call{To: to, Value: q}
		if token != nil {
			calls[i] = chain.Call{To: *token, Value: new(big.Int), Data: erc20Transfer(to, q)}
		}
		total.Add(total, q)
	}
	var eth, tst *big.Int
	switch {
	case token == nil:
		eth = total
	case *token == c.Token():
		tst = total
	}
	return s.queueWrites(r, c, req.From, calls, eth, tst, http.StatusBadRequest)
}

// queueWrites finishes a send or write: it resolves who acts (the session
// headers, else from), funds them on this chain if new to it, refuses value
// they do not have (ETH and the test token; fundsStatus is the endpoint's
// status for that), and queues one transaction per call.
func (s *Server) queueWrites(r *http.Request, c *chain.Chain, from string, calls []chain.Call, eth, tst *big.Int, fundsStatus int) (any, error) {
	for i, c := range calls {
		// The account treats calldata under 4 bytes as a plain transfer
		// (transfer policies), though a contract would receive it as a call.
		if n := len(c.Data); n > 0 && n < 4 {
			return nil, badRequest("call %d: calldata of %d byte(s) is neither a plain transfer (empty) nor a function call (a 4-byte selector and arguments)", i, n)
		}
	}
	sc, err := s.resolveContext(r, from)
	if err != nil {
		return nil, err
	}
	movesValue := eth != nil && eth.Sign() > 0 || tst != nil && tst.Sign() > 0
	if err := s.fundContext(r.Context(), c, sc, movesValue); err != nil {
		return nil, err
	}
	if err := s.checkFunds(r.Context(), c, sc.payer(), eth, tst, fundsStatus); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(calls))
	for i, call := range calls {
		ids = append(ids, s.queueCall(c, sc, call, i))
	}
	return apiclient.TransactionIDs{TransactionIDs: ids}, nil
}

// sendToken reads send's tokenAddress: nil for native ETH (absent or the
// zero address), else a contract on the chain.
func (s *Server) sendToken(ctx context.Context, c *chain.Chain, addr string) (*common.Address, error) {
	if addr == "" {
		return nil, nil
	}
	t, err := parseAddressField("tokenAddress", addr)
	if err != nil || t == (common.Address{}) {
		return nil, err
	}
	code, err := c.Code(ctx, t)
	if err != nil {
		return nil, internalError("reading code: %v", err)
	}
	if len(code) == 0 {
		return nil, badRequest("tokenAddress %s has no contract code on chain %d (the sandbox's test token is %s)", t.Hex(), c.ChainID(), c.Token().Hex())
	}
	return &t, nil
}

func (s *Server) handleContractWrite(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireSecret(r); err != nil {
		return nil, err
	}
	if err := s.acceptingWrites(); err != nil {
		return nil, err
	}
	var req apiclient.ContractWriteRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	c, err := s.chainFor(req.ChainID)
	if err != nil {
		return nil, err
	}
	switch n := len(req.Calls); {
	case n == 0:
		return nil, badRequest("calls is required: 1 to %d entries of {contractAddress, method, params, value}", maxCalls)
	case n > maxCalls:
		return nil, badRequest("calls has %d entries; at most %d per request", n, maxCalls)
	}
	calls := make([]chain.Call, len(req.Calls))
	total := new(big.Int)
	for i, cc := range req.Calls {
		f := fmt.Sprintf("calls[%d]", i)
		to, err := parseAddressField(f+".contractAddress", cc.ContractAddress)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(cc.Method) == "" {
			return nil, badRequest("%s.method is required (e.g. \"function transfer(address to, uint256 amount)\")", f)
		}
		m, err := parseMethod(cc.Method)
		if err != nil {
			return nil, badRequest("%s.method: %v", f, err)
		}
		data, err := m.pack(cc.Params)
		if err != nil {
			return nil, badRequest("%s: %v", f, err)
		}
		value, err := parseDecimalField(f+".value", cc.Value)
		if err != nil {
			return nil, err
		}
		code, err := c.Code(r.Context(), to)
		if err != nil {
			return nil, internalError("reading code: %v", err)
		}
		if len(code) == 0 {
			return nil, notFound("%s.contractAddress %s has no contract code on chain %d", f, to.Hex(), c.ChainID())
		}
		calls[i] = chain.Call{To: to, Value: value, Data: data}
		total.Add(total, value)
	}
	return s.queueWrites(r, c, req.From, calls, total, nil, http.StatusPaymentRequired)
}

// ---------------------------------------------------------------------
// Reads

func (s *Server) handleTransaction(w http.ResponseWriter, r *http.Request) (any, error) {
	rd, err := s.requireReader(r)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	tx, ok := s.txs.get(id)
	if !ok {
		return nil, notFound("transaction %q not found", clip(apiclient.Printable(id), 80))
	}
	if !rd.mayRead(tx) {
		return nil, forbidden("transaction %s is not on the account of this token's user (%s); a user reads only their own records, x-secret-key reads all", tx.ID, rd.user.addr.Hex())
	}
	return tx, nil
}

// mayRead: the secret key reads every record, a user those whose from or
// account is the user.
func (rd reader) mayRead(tx apiclient.Transaction) bool {
	if rd.secret {
		return true
	}
	if rd.user == nil {
		return false
	}
	if apiclient.SameAddress(tx.From, rd.user.addr.Hex()) {
		return true
	}
	var ep apiclient.ExecutionParams7702
	return json.Unmarshal(tx.ExecutionParams, &ep) == nil && apiclient.SameAddress(ep.AccountAddress, rd.user.addr.Hex())
}

func (s *Server) handleTransactions(w http.ResponseWriter, r *http.Request) (any, error) {
	rd, err := s.requireReader(r)
	if err != nil {
		return nil, err
	}
	page, err := queryInt(r, "page", 1, 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(r, "limit", defaultPage, 1, maxPage)
	if err != nil {
		return nil, err
	}
	var from *common.Address
	if f := r.URL.Query().Get("from"); f != "" {
		a, err := parseAddressField("query from", f)
		if err != nil {
			return nil, err
		}
		from = &a
	}
	all := s.txs.list(from)
	if !rd.secret {
		mine := all[:0:0]
		for _, tx := range all {
			if rd.mayRead(tx) {
				mine = append(mine, tx)
			}
		}
		all = mine
	}
	start, end, p := paginate(len(all), page, limit)
	out := apiclient.TransactionList{Pagination: p, Transactions: []apiclient.Transaction{}}
	out.Transactions = append(out.Transactions, all[start:end]...)
	return out, nil
}

func (s *Server) handleBalance(w http.ResponseWriter, r *http.Request) (any, error) {
	mayStart, err := s.requireStarter(r)
	if err != nil {
		return nil, err
	}
	addr, err := parseAddressField("address", r.PathValue("address"))
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	raw := q["chainId"]
	switch {
	case len(raw) == 0:
		return nil, badRequest("query chainId is required (repeat it for several chains, 1 to %d)", maxBalanceChain)
	case len(raw) > maxBalanceChain:
		return nil, badRequest("query chainId is repeated %d times; at most %d", len(raw), maxBalanceChain)
	}
	var token *common.Address
	if t := q.Get("tokenAddress"); t != "" {
		a, err := parseAddressField("query tokenAddress", t)
		if err != nil {
			return nil, err
		}
		if a != (common.Address{}) { // the zero address means native ETH
			token = &a
		}
	}
	out := make([]apiclient.Balance, 0, len(raw))
	for _, cs := range raw {
		id, err := strconv.ParseUint(strings.TrimSpace(cs), 10, 64)
		if err != nil || id == 0 {
			return nil, badRequest("query chainId=%q must be a positive integer", clip(cs, 40))
		}
		c, err := s.readChain(id, mayStart)
		if err != nil {
			return nil, err
		}
		// A balance is read from the latest block: wait for the funding.
		if err := s.fund(r.Context(), c, true, addr); err != nil {
			return nil, err
		}
		var b apiclient.Balance
		if token == nil {
			v, err := c.Balance(r.Context(), addr)
			if err != nil {
				return nil, internalError("reading balance: %v", err)
			}
			b = apiclient.Balance{ChainID: id, Decimals: 18, DisplayValue: apiclient.FormatEther(v),
				Name: "Ether", Symbol: "ETH", TokenAddress: common.Address{}.Hex(), Value: v.String()}
		} else {
			if *token != c.Token() {
				return nil, badRequest("query tokenAddress %s: the sandbox reads balances of its test token %s only", token.Hex(), c.Token().Hex())
			}
			v, err := c.TokenBalance(r.Context(), addr)
			if err != nil {
				return nil, internalError("reading token balance: %v", err)
			}
			b = apiclient.Balance{ChainID: id, Decimals: 18, DisplayValue: apiclient.FormatEther(v),
				Name: tokenName, Symbol: tokenSymbol, TokenAddress: token.Hex(), Value: v.String()}
		}
		out = append(out, b)
	}
	return out, nil
}

// The sandbox's test token (TestToken.sol).
const (
	tokenName   = "Workshop Token"
	tokenSymbol = "TST"
)

// ---------------------------------------------------------------------
// Sandbox extensions

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireAny(r); err != nil {
		return nil, err
	}
	c, err := s.chainFor(DefaultChainID)
	if err != nil {
		return nil, err
	}
	return apiclient.SandboxInfo{
		Version:            Version,
		Chains:             s.chains.Chains(),
		DefaultChainID:     DefaultChainID,
		AccountImplAddress: c.AccountImpl().Hex(),
		TokenAddress:       c.Token().Hex(),
		TokenSymbol:        tokenSymbol,
		FundWei:            apiclient.Dec(s.fundWei),
		TokenMint:          apiclient.Dec(s.tokenMint),
		BlockTimeMillis:    s.blockTime.Milliseconds(),
		RPCURL:             s.chains.RPCURL(),
	}, nil
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) (any, error) {
	mayStart, err := s.requireStarter(r)
	if err != nil {
		return nil, err
	}
	account, err := parseAddressField("account", r.PathValue("account"))
	if err != nil {
		return nil, err
	}
	signer, err := parseAddressField("signer", r.PathValue("signer"))
	if err != nil {
		return nil, err
	}
	chainID := DefaultChainID
	if cs := r.URL.Query().Get("chainId"); cs != "" {
		id, err := strconv.ParseUint(strings.TrimSpace(cs), 10, 64)
		if err != nil || id == 0 {
			return nil, badRequest("query chainId=%q must be a positive integer", clip(cs, 40))
		}
		chainID = id
	}
	c, err := s.readChain(chainID, mayStart)
	if err != nil {
		return nil, err
	}
	st, err := c.Session(r.Context(), account, signer)
	if err != nil {
		return nil, internalError("reading the session: %v", err)
	}
	out := apiclient.SessionInfo{
		ChainID:           chainID,
		AccountAddress:    account.Hex(),
		SessionKeyAddress: signer.Hex(),
		IsWildcard:        st.IsWildcard,
		CallPolicies:      []apiclient.CallPolicy{},
		TransferPolicies:  []apiclient.TransferPolicy{},
		Limits:            []apiclient.LimitState{},
	}
	if st.ExpiresAt > 0 {
		exp := time.Unix(int64(st.ExpiresAt), 0)
		out.ExpiresAt = exp.UTC().Format(time.RFC3339)
		out.ExpiresAtUnix = int64(st.ExpiresAt)
		out.Live = c.Now().Unix() < int64(st.ExpiresAt)
	}
	for _, p := range st.CallPolicies {
		out.CallPolicies = append(out.CallPolicies, wireCallPolicy(p))
	}
	for _, p := range st.TransferPolicies {
		out.TransferPolicies = append(out.TransferPolicies, wireTransferPolicy(p))
	}
	for _, l := range st.Limits {
		out.Limits = append(out.Limits, wireLimitState(l))
	}
	return out, nil
}

// maxAdvance bounds one advance-time call (10 years).
const maxAdvance = 10 * 365 * 24 * 3600

func (s *Server) handleAdvanceTime(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := s.requireSecret(r); err != nil {
		return nil, err
	}
	if err := s.acceptingWrites(); err != nil {
		return nil, err
	}
	var req apiclient.AdvanceTimeRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	c, err := s.chainFor(req.ChainID)
	if err != nil {
		return nil, err
	}
	if req.Seconds <= 0 || req.Seconds > maxAdvance {
		return nil, badRequest("seconds must be from 1 to %d (got %d)", maxAdvance, req.Seconds)
	}
	if err := c.AdvanceTime(time.Duration(req.Seconds) * time.Second); err != nil {
		return nil, internalError("advancing time: %v", err)
	}
	return apiclient.AdvanceTimeResult{ChainID: c.ChainID(), BlockTime: c.Now().Format(time.RFC3339)}, nil
}

// checkPolicies refuses scoped policies that defeat themselves: a call
// policy on the user's own account or on the account implementation (the
// session key could call execute on the account, which runs any call as the
// owner: a full escalation), and repeated (target, selector) pairs or
// transfer targets (the account applies the first match, so a repeat never
// applies and its limits are an illusion).
func checkPolicies(account common.Address, spec chain.SessionSpec) error {
	type callKey struct {
		target   common.Address
		selector [4]byte
	}
	seen := map[callKey]int{}
	for i, p := range spec.CallPolicies {
		switch p.Target {
		case account:
			return badRequest("callPolicies[%d].target %s is the user's own account: the session key could call execute on it and run any call as the owner, which is full permission; name the contracts the key may call", i, p.Target.Hex())
		case chain.AccountImplAddress:
			return badRequest("callPolicies[%d].target %s is the account implementation (the code every delegated account runs): a policy on its execute is a full escalation; name the contracts the key may call", i, p.Target.Hex())
		}
		k := callKey{p.Target, p.Selector}
		if j, dup := seen[k]; dup {
			return badRequest("callPolicies[%d] repeats target %s and selector 0x%x of callPolicies[%d]: the account applies the first match, so this one would never apply; merge them", i, p.Target.Hex(), p.Selector, j)
		}
		seen[k] = i
	}
	targets := map[common.Address]int{}
	for i, p := range spec.TransferPolicies {
		if j, dup := targets[p.Target]; dup {
			return badRequest("transferPolicies[%d] repeats target %s of transferPolicies[%d]: the account applies the first match, so this one would never apply; merge them", i, p.Target.Hex(), j)
		}
		targets[p.Target] = i
	}
	return nil
}

// injectedRevert is the call the revert fault appends to an execution: a
// test-token transfer to the zero address, which the token refuses
// (ERC20InvalidReceiver), so the whole execution reverts on chain.
func injectedRevert(c *chain.Chain) chain.Call {
	return chain.Call{To: c.Token(), Value: new(big.Int), Data: erc20Transfer(common.Address{}, big.NewInt(1))}
}
