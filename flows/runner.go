package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"walletconsole/apiclient"
)

// Runner runs the four steps of docs/api.md against a
// client. It holds no state between steps: each returns what the next needs.
// Safe for concurrent use.
type Runner struct {
	Client  *apiclient.Client
	ChainID uint64
	// Now is the clock for generated IDs and expiry times (nil: time.Now).
	Now func() time.Time
}

// Login is the result of the guest login (step 1).
type Login struct {
	Address   string // the user's wallet: x-account-address of session sends
	Token     string // the user's JWT (secret: mask when shown)
	SessionID string // a credential, like Token: mask when shown
	IsNewUser bool
	ExpiresAt time.Time // the JWT's exp, read without verifying; zero if absent
}

// SessionKey is a server wallet acting as a session key (step 2).
type SessionKey struct {
	Address    string
	Identifier string
}

// GrantInput is what the user grants (step 3).
type GrantInput struct {
	Duration         time.Duration // ≤ 0: DefaultDuration
	Full             bool          // grantFullPermissions: policies are not sent
	CallPolicies     []apiclient.CallPolicy
	TransferPolicies []apiclient.TransferPolicy
}

// Grant is a submitted grant; it holds once TxID is CONFIRMED.
type Grant struct {
	TxID      string
	Request   apiclient.CreateSessionKeyRequest
	ExpiresAt time.Time // submission time + duration (the chain's expiresAt is set when mined)
}

// Step tags, set on the context of each step's requests (Exchange.Tag).
const (
	TagLogin      = "login"
	TagSessionKey = "session-key"
	TagGrant      = "grant"
	TagSend       = "send"
	TagCall       = "call"
	TagWatch      = "watch"
)

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) client() (*apiclient.Client, error) {
	if r == nil || r.Client == nil {
		return nil, errors.New("flows: runner has no API client")
	}
	return r.Client, nil
}

func (r *Runner) chainID() uint64 {
	if r.ChainID == 0 {
		return DefaultChainID
	}
	return r.ChainID
}

// tagged adds the step tag unless the caller already set one.
func tagged(ctx context.Context, tag string) context.Context {
	if apiclient.TagFrom(ctx) != "" {
		return ctx
	}
	return apiclient.WithTag(ctx, tag)
}

// Login logs in a guest (POST /auth/complete). sessionID "" makes a new
// one from 128 random bits (apiclient.NewGuestSessionID), not the seed's
// "session-<unix ms>": the same ID logs in as the same user, so a guessable
// one hands the user to anyone who guesses it. It is a credential: mask it
// wherever it is shown.
func (r *Runner) Login(ctx context.Context, sessionID string) (Login, error) {
	c, err := r.client()
	if err != nil {
		return Login{}, err
	}
	if sessionID == "" {
		if sessionID, err = apiclient.NewGuestSessionID(); err != nil {
			return Login{}, err
		}
	}
	res, err := c.GuestLogin(tagged(ctx, TagLogin), sessionID)
	if err != nil {
		return Login{}, err
	}
	if _, err := apiclient.ParseAddress(res.WalletAddress); err != nil {
		return Login{}, fmt.Errorf("login returned an unusable wallet address: %w", err)
	}
	return Login{
		Address:   res.WalletAddress,
		Token:     res.Token,
		SessionID: sessionID,
		IsNewUser: res.IsNewUser,
		ExpiresAt: TokenExpiry(res.Token),
	}, nil
}

// TokenExpiry reads a JWT's exp claim without verifying the signature; zero
// if the token cannot be read or has no exp.
func TokenExpiry(token string) time.Time {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return time.Time{}
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return time.Time{}
	}
	return exp.Time
}

// CreateSessionKey creates a server wallet to act as the session key (POST
// /wallets/server). identifier "" makes "session-key-<unix ms>".
func (r *Runner) CreateSessionKey(ctx context.Context, identifier string) (SessionKey, error) {
	c, err := r.client()
	if err != nil {
		return SessionKey{}, err
	}
	if identifier == "" {
		identifier = fmt.Sprintf("session-key-%d", r.now().UnixMilli())
	}
	w, err := c.CreateServerWallet(tagged(ctx, TagSessionKey), identifier)
	if err != nil {
		return SessionKey{}, err
	}
	if _, err := apiclient.ParseAddress(w.Address); err != nil {
		return SessionKey{}, fmt.Errorf("server wallet has an unusable address: %w", err)
	}
	if id := w.Identifier(); id != "" {
		identifier = id
	}
	return SessionKey{Address: w.Address, Identifier: identifier}, nil
}

// ListSessionKeys lists the server wallets (all pages, up to 1,000).
func (r *Runner) ListSessionKeys(ctx context.Context) ([]SessionKey, error) {
	c, err := r.client()
	if err != nil {
		return nil, err
	}
	ctx = tagged(ctx, TagSessionKey)
	const limit = 100
	var out []SessionKey
	for page := 1; page <= 10; page++ {
		list, err := c.ListServerWallets(ctx, page, limit)
		if err != nil {
			return out, err
		}
		for _, w := range list.Wallets {
			out = append(out, SessionKey{Address: w.Address, Identifier: w.Identifier()})
		}
		more := list.Pagination.HasMore != nil && *list.Pagination.HasMore
		if !more || len(list.Wallets) == 0 {
			break
		}
	}
	return out, nil
}

// BuildGrantRequest is the create-session-key body that Grant sends (the UI
// previews it). grantFullPermissions is always sent; when true no policies
// are sent (the API would ignore them).
func BuildGrantRequest(chainID uint64, key string, in GrantInput) apiclient.CreateSessionKeyRequest {
	d := in.Duration
	if d <= 0 {
		d = DefaultDuration
	}
	secs := int64((d + time.Second - 1) / time.Second) // whole seconds, rounded up
	req := apiclient.CreateSessionKeyRequest{
		ChainID:              chainID,
		SessionKeyAddress:    key,
		DurationInSeconds:    secs,
		GrantFullPermissions: apiclient.Bool(in.Full),
	}
	if !in.Full {
		req.CallPolicies = in.CallPolicies
		req.TransferPolicies = in.TransferPolicies
	}
	return req
}

// Grant asks the API, as the user, to grant k on l's account (POST
// /wallets/create-session-key) and returns the grant's transaction ID.
func (r *Runner) Grant(ctx context.Context, l Login, k SessionKey, in GrantInput) (Grant, error) {
	c, err := r.client()
	if err != nil {
		return Grant{}, err
	}
	if k.Address == "" {
		return Grant{}, errors.New("grant: no session key address (create a session key first)")
	}
	req := BuildGrantRequest(r.chainID(), k.Address, in)
	start := r.now()
	id, _, err := c.CreateSessionKey(tagged(ctx, TagGrant), l.Token, req)
	if err != nil {
		return Grant{Request: req}, err
	}
	return Grant{TxID: id, Request: req, ExpiresAt: start.Add(time.Duration(req.DurationInSeconds) * time.Second)}, nil
}

// SessionContext is the context-header pair of a session-key execution.
func SessionContext(l Login, k SessionKey) apiclient.SessionContext {
	return apiclient.SessionContext{Account: l.Address, SessionKey: k.Address}
}

// Send executes a transfer from l's account signed by session key k (POST
// /wallets/send with from = k and the context headers, as the seed does).
// No recipients: 0 wei to the user's own address, the seed's test.
func (r *Runner) Send(ctx context.Context, l Login, k SessionKey, rs []apiclient.Recipient) ([]string, error) {
	c, err := r.client()
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		rs = []apiclient.Recipient{{Address: l.Address, Quantity: "0"}}
	}
	req := apiclient.SendRequest{ChainID: r.chainID(), From: k.Address, Recipients: rs}
	return c.Send(tagged(ctx, TagSend), SessionContext(l, k), req)
}

// Call executes contract calls from l's account signed by session key k
// (POST /contracts/write with the context headers).
func (r *Runner) Call(ctx context.Context, l Login, k SessionKey, calls []apiclient.ContractCall) ([]string, error) {
	c, err := r.client()
	if err != nil {
		return nil, err
	}
	if len(calls) == 0 {
		return nil, errors.New("call: no calls")
	}
	req := apiclient.ContractWriteRequest{ChainID: r.chainID(), From: k.Address, Calls: calls}
	return c.WriteContract(tagged(ctx, TagCall), SessionContext(l, k), req)
}

// TxStatus fetches a transaction record once (GET /transactions/{id}).
func (r *Runner) TxStatus(ctx context.Context, id string) (apiclient.Transaction, error) {
	c, err := r.client()
	if err != nil {
		return apiclient.Transaction{}, err
	}
	return c.Transaction(tagged(ctx, TagWatch), id)
}
