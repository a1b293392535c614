package sandbox

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/golang-jwt/jwt/v5"
)

// Auth follows docs/api.md §1: x-client-id on client-side calls, x-secret-key
// on server-side calls, Authorization: Bearer <token> (with x-client-id) on
// calls made as the user. Messages say what is wrong and never echo secrets.

const tokenIssuer = "walletconsole-sandbox"

type ctxKey int

const requestIDKey ctxKey = iota

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// requireClientID checks x-client-id.
func (s *Server) requireClientID(r *http.Request) error {
	id := strings.TrimSpace(r.Header.Get("x-client-id"))
	if id == "" {
		if r.Header.Get("x-secret-key") != "" {
			return unauthorized("x-client-id header is missing (this call is client-side: send x-client-id, not x-secret-key)")
		}
		return unauthorized("x-client-id header is missing")
	}
	if !equalSecret(id, s.clientID) {
		if strings.HasPrefix(id, "sk_") {
			return unauthorized("x-client-id is not this sandbox's client ID (it looks like a secret key; send that in x-secret-key)")
		}
		return unauthorized("x-client-id is not this sandbox's client ID (the sandbox prints its client ID at startup)")
	}
	return nil
}

// requireSecret checks x-secret-key.
func (s *Server) requireSecret(r *http.Request) error {
	key := r.Header.Get("x-secret-key")
	if key == "" {
		if r.Header.Get("x-client-id") != "" {
			return unauthorized("x-secret-key header is missing (this call is server-side: x-client-id is not enough)")
		}
		return unauthorized("x-secret-key header is missing")
	}
	if !equalSecret(strings.TrimSpace(key), s.secretKey) {
		return unauthorized("x-secret-key is not valid for this sandbox")
	}
	return nil
}

// requireAny accepts x-secret-key (checked when sent) or else x-client-id.
func (s *Server) requireAny(r *http.Request) error {
	if r.Header.Get("x-secret-key") != "" {
		return s.requireSecret(r)
	}
	if r.Header.Get("x-client-id") == "" {
		return unauthorized("x-secret-key or x-client-id header is missing")
	}
	return s.requireClientID(r)
}

type tokenClaims struct {
	jwt.RegisteredClaims
}

func (s *Server) issueToken(addr common.Address) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.tokenTTL)
	claims := tokenClaims{jwt.RegisteredClaims{
		Issuer:    tokenIssuer,
		Subject:   addr.Hex(),
		Audience:  jwt.ClaimStrings{s.clientID},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp),
	}}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.jwtKey)
	return tok, exp, err
}

// requireUser checks x-client-id and the bearer token, and returns the user.
func (s *Server) requireUser(r *http.Request) (*wallet, error) {
	if err := s.requireClientID(r); err != nil {
		return nil, err
	}
	if r.Header.Get("Authorization") == "" {
		return nil, unauthorized("Authorization header is missing (want \"Bearer <token>\" from POST /v1/auth/complete)")
	}
	return s.bearerUser(r)
}

// bearerUser checks the Authorization: Bearer token and returns its user.
func (s *Server) bearerUser(r *http.Request) (*wallet, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, unauthorized("Authorization header must be \"Bearer <token>\"")
	}
	var claims tokenClaims
	_, err := jwt.ParseWithClaims(strings.TrimSpace(tok), &claims, func(*jwt.Token) (any, error) {
		return s.jwtKey, nil
	}, s.jwtOptions()...)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired) && claims.ExpiresAt != nil:
		return nil, unauthorized("token expired at %s; log in again with POST /v1/auth/complete",
			claims.ExpiresAt.UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, unauthorized("token is malformed (not a JWT)")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, unauthorized("token signature is invalid (not issued by this sandbox run)")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return nil, unauthorized("token was issued for another client ID")
	default:
		return nil, unauthorized("token is invalid: %v", err)
	}
	if !common.IsHexAddress(claims.Subject) {
		return nil, unauthorized("token subject is not a wallet address")
	}
	u := s.wallets.byAddress(common.HexToAddress(claims.Subject))
	if u == nil || u.kind != kindGuest {
		return nil, unauthorized("token's user %s is unknown to this sandbox", claims.Subject)
	}
	return u, nil
}

// reader is who reads transaction records: the project (secret key) sees
// all of them, a user (token) only their own.
type reader struct {
	secret bool
	user   *wallet
}

// requireReader accepts x-secret-key, or a user's token with x-client-id.
// The client ID alone is public (it ships in web pages), so it reads no
// records: they name accounts, session keys and calldata.
func (s *Server) requireReader(r *http.Request) (reader, error) {
	if r.Header.Get("x-secret-key") != "" {
		if err := s.requireSecret(r); err != nil {
			return reader{}, err
		}
		return reader{secret: true}, nil
	}
	if r.Header.Get("Authorization") == "" {
		if r.Header.Get("x-client-id") == "" {
			return reader{}, unauthorized("x-secret-key or x-client-id header is missing")
		}
		if err := s.requireClientID(r); err != nil {
			return reader{}, err
		}
		return reader{}, unauthorized("transaction records need x-secret-key (server side) or the user's token " +
			"(Authorization: Bearer <token> from POST /v1/auth/complete, with x-client-id); x-client-id alone is not enough")
	}
	u, err := s.requireUser(r)
	if err != nil {
		return reader{}, err
	}
	return reader{user: u}, nil
}

// requireStarter is requireAny that also says whether the caller may start
// a chain: the secret key may, the client ID alone may not (anyone who
// saw it could otherwise make the sandbox start chains).
func (s *Server) requireStarter(r *http.Request) (mayStart bool, err error) {
	if err := s.requireAny(r); err != nil {
		return false, err
	}
	return r.Header.Get("x-secret-key") != "", nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
