package main

import (
	"context"

	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
)

// embeddedSandbox is how the console and flow start the sandbox in-process:
// main is the only package that wires apiclient/sandbox in (flows and ui get
// this function, never the package).
func embeddedSandbox(opts sandbox.Options) flows.SandboxStarter {
	return func(ctx context.Context, clientID, secretKey string) (flows.EmbeddedSandbox, error) {
		o := opts
		if o.ClientID == "" {
			o.ClientID = clientID
		}
		if o.SecretKey == "" {
			o.SecretKey = secretKey
		}
		r, err := sandbox.Listen(ctx, "127.0.0.1:0", o)
		if err != nil {
			return nil, err // not a typed nil inside the interface
		}
		return r, nil
	}
}
