package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
)

// RevokeDuration is how long the empty grant that revokes a key lasts. The
// API accepts 1 second, but the account refuses a grant whose expiry is
// not after its block's time (SessionExpiresTooSoon), and a grant waits in
// a queue for a block, so a minute is the shortest that lands reliably.
// It allows nothing either way.
const RevokeDuration = time.Minute

// RevocationNote is the short explanation shown with a revoke.
const RevocationNote = `Revoking a session key on an EIP-7702 account means replacing its session: the account keeps one grant per signer, so a new grant that allows nothing (no wildcard, no policies) takes the old one's place and the key can do nothing from then on. Removing the account's delegation instead stops every session at once, but the sessions come back if the same code is delegated again, because the account's storage stays.`

// RevokeResult is what a revoke did and what the chain says afterwards.
type RevokeResult struct {
	GrantTxID  string                `json:"grantTransactionId"`
	Before     apiclient.SessionInfo `json:"before"`
	After      apiclient.SessionInfo `json:"after"`
	OldGone    bool                  `json:"oldPermissionsGone"`
	Verdict    string                `json:"verdict"`
	Probe      *ProbeResult          `json:"probe,omitempty"`
	ProbeSkips string                `json:"probeSkipped,omitempty"`
}

// ProbeResult is the send attempted as the revoked key.
type ProbeResult struct {
	TxID    string             `json:"transactionId"`
	Status  apiclient.TxStatus `json:"status"`
	Reason  string             `json:"reason,omitempty"`
	Refused bool               `json:"refused"`
}

// Revoke replaces key's session on acct with a grant that allows nothing
// (POST /wallets/create-session-key as the user: grantFullPermissions false,
// no policies, RevokeDuration), waits for it, and reads the key's session
// back from the chain to say whether the old permissions are gone. With
// probe (the sandbox), it then sends 0 ETH to the user as the key and
// reports the on-chain refusal. onStep, if set, hears each step.
func Revoke(ctx context.Context, r *Runner, reader *SessionReader, token string, acct, key common.Address, probe bool, onStep func(string)) (RevokeResult, error) {
	step := func(f string, a ...any) {
		if onStep != nil {
			onStep(fmt.Sprintf(f, a...))
		}
	}
	var res RevokeResult
	before, err := reader.ReadSession(ctx, acct, key, time.Now())
	if err != nil {
		return res, fmt.Errorf("reading the session before: %w", err)
	}
	res.Before = before
	login := Login{Address: acct.Hex(), Token: token}
	sk := SessionKey{Address: key.Hex()}
	g, err := r.Grant(ctx, login, sk, GrantInput{Duration: RevokeDuration})
	if err != nil {
		return res, fmt.Errorf("granting nothing to the key: %w", err)
	}
	res.GrantTxID = g.TxID
	step("replacing grant submitted: transaction %s", g.TxID)
	tx, err := r.Watch(ctx, g.TxID, nil)
	if err != nil {
		return res, fmt.Errorf("waiting for the replacing grant: %w", err)
	}
	if tx.Status != apiclient.StatusConfirmed {
		return res, fmt.Errorf("the replacing grant %s: %s %s: the key keeps its old permissions", g.TxID, tx.Status, apiclient.Printable(tx.Error()))
	}
	step("replacing grant confirmed in block %s", tx.Block())
	after, err := reader.ReadSession(ctx, acct, key, time.Now())
	if err != nil {
		return res, fmt.Errorf("reading the session back: %w", err)
	}
	res.After = after
	empty := !after.IsWildcard && len(after.CallPolicies) == 0 && len(after.TransferPolicies) == 0
	switch {
	case after.ExpiresAtUnix == 0:
		res.Verdict = "the chain shows no session for the key at all: it can do nothing"
		res.OldGone = true
	case empty:
		res.OldGone = true
		res.Verdict = fmt.Sprintf("the old permissions are gone: the key's session now allows nothing (no wildcard, no policies) and ends at %s", time.Unix(after.ExpiresAtUnix, 0).Format("15:04:05"))
	default:
		res.Verdict = fmt.Sprintf("the old permissions are NOT gone: the chain still shows %s for the key (wildcard %v, %d call and %d transfer policies); this account did not replace the session on a new grant",
			"a session", after.IsWildcard, len(after.CallPolicies), len(after.TransferPolicies))
	}
	if !probe {
		return res, nil
	}
	ids, err := r.Send(ctx, login, sk, nil)
	if err != nil {
		var ae *apiclient.APIError
		if errors.As(err, &ae) {
			res.Probe = &ProbeResult{Status: apiclient.StatusFailed, Reason: ae.Error(), Refused: true}
			return res, nil
		}
		return res, fmt.Errorf("probe send as the key: %w", err)
	}
	step("probe: 0 ETH to the user as the key: transaction %s", ids[0])
	ptx, err := r.Watch(ctx, ids[0], nil)
	if err != nil {
		return res, fmt.Errorf("waiting for the probe: %w", err)
	}
	res.Probe = &ProbeResult{TxID: ids[0], Status: ptx.Status, Reason: ptx.Error(), Refused: ptx.Status == apiclient.StatusFailed}
	return res, nil
}
