package main

import (
	"context"
	"flag"
	"fmt"
	"time"

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

// embeddedFlags are the sandbox's chain and fault flags: its block interval
// and the fault injectors. One set, so 'walletconsole sandbox' and the
// console and flow (for the sandbox they embed) spell and check them alike.
type embeddedFlags struct {
	blockTime time.Duration
	faults    sandbox.Faults
}

// registerSandboxFlags defines them; note ends each usage line (the console
// and flow say the flags act on their embedded sandbox only).
func registerSandboxFlags(fs *flag.FlagSet, note string) *embeddedFlags {
	e := &embeddedFlags{}
	fs.DurationVar(&e.blockTime, "block-time", sandbox.DefaultBlockTime, "block `interval`; 0 mines each transaction at once"+note)
	registerFaultFlags(fs, &e.faults, note)
	return e
}

// options are the embedded sandbox's options, or an error naming the flag.
func (e *embeddedFlags) options() (sandbox.Options, error) {
	if e.blockTime < 0 {
		return sandbox.Options{}, fmt.Errorf("--block-time must be ≥ 0 (0 mines each transaction at once), not %s", e.blockTime)
	}
	o := sandbox.Options{BlockTime: e.blockTime, Faults: e.faults}
	if e.blockTime == 0 {
		o.BlockTime = sandbox.MineOnDemand
	}
	return o, nil
}
