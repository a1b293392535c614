package flows

import (
	"context"
	"fmt"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
)

// StartSandbox starts the embedded sandbox on a random loopback port. It
// stops when ctx ends or Close is called.
func StartSandbox(ctx context.Context, opts sandbox.Options) (*sandbox.Running, error) {
	return sandbox.Listen(ctx, "127.0.0.1:0", opts)
}

// Conn is a configuration put to use: a client for its API, and the
// embedded sandbox when in sandbox mode.
type Conn struct {
	Config  Config // in sandbox mode with APIURL, ClientID and SecretKey from the sandbox
	Client  *apiclient.Client
	Runner  *Runner
	Sandbox *sandbox.Running // nil in live mode
}

// Connect makes the client for cfg, starting the embedded sandbox first in
// sandbox mode (opts configure it). Close the Conn when done.
func Connect(ctx context.Context, cfg Config, sbOpts sandbox.Options, opts ...apiclient.Option) (*Conn, error) {
	c := &Conn{Config: cfg}
	if cfg.Mode != ModeLive {
		sb, err := StartSandbox(ctx, sbOpts)
		if err != nil {
			return nil, fmt.Errorf("starting the embedded sandbox: %w", err)
		}
		c.Sandbox = sb
		c.Config.Mode = ModeSandbox
		c.Config.APIURL, c.Config.ClientID, c.Config.SecretKey = sb.BaseURL, sb.ClientID(), sb.SecretKey()
		for _, n := range []string{FlagAPIURL, FlagClientID, FlagSecretKey} {
			c.Config.setSource(n, SourceSandbox)
		}
	} else if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c.Client = apiclient.New(c.Config.APIURL, c.Config.ClientID, c.Config.SecretKey, opts...)
	c.Runner = &Runner{Client: c.Client, ChainID: c.Config.ChainID}
	return c, nil
}

// Close stops the embedded sandbox, if any.
func (c *Conn) Close() error {
	if c == nil || c.Sandbox == nil {
		return nil
	}
	return c.Sandbox.Close()
}

func (c *Config) setSource(name string, s Source) {
	m := make(map[string]Source, len(c.sources)+1)
	for k, v := range c.sources {
		m[k] = v
	}
	m[name] = s
	c.sources = m
}
