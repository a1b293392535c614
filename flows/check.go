package flows

import (
	"context"
	"fmt"

	"walletconsole/apiclient"
)

// TagConnect tags the connection check's request (Exchange.Tag).
const TagConnect = "connect"

// Check proves a live connection before anyone calls it "connected": one
// cheap authenticated read (GET /wallets/server?limit=1 with the secret
// key) shows that the API URL answers and accepts the secret key. It has no
// side effect on the account. The client ID is first used by the guest
// login, which names it if it is refused.
func (c *Conn) Check(ctx context.Context) error {
	if c == nil || c.Client == nil {
		return fmt.Errorf("no API client")
	}
	_, err := c.Client.ListServerWallets(tagged(ctx, TagConnect), 1, 1)
	return err
}

// IsSandbox reports whether the API announced itself as a sandbox
// (GET /v1/sandbox/info answered); info is nil otherwise. A hosted API has
// no such route: its 404 (or any error) means "a real chain".
func (c *Conn) IsSandbox(ctx context.Context) (*apiclient.SandboxInfo, bool) {
	info, err := c.SandboxInfo(ctx)
	if err != nil || info == nil {
		return nil, false
	}
	return info, true
}
