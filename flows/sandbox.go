package flows

import (
	"context"
	"errors"
	"fmt"

	"walletconsole/apiclient"
)

// EmbeddedSandbox is a running embedded sandbox. flows and ui only need its
// URL and throwaway credentials, and to stop it; main wires the real server
// in (see docs/architecture.md), so neither package imports it.
type EmbeddedSandbox interface {
	URL() string
	ClientID() string
	SecretKey() string
	Close() error
}

// SandboxStarter starts an embedded sandbox on loopback with the given
// credentials ("" = generated). It stops when ctx ends or Close is called.
type SandboxStarter func(ctx context.Context, clientID, secretKey string) (EmbeddedSandbox, error)

// ErrNoSandbox: sandbox mode was asked for but nothing can start one.
var ErrNoSandbox = errors.New("sandbox mode needs the embedded sandbox, which this build cannot start")

// Conn is a configuration put to use: a client for its API, and the
// embedded sandbox when in sandbox mode.
type Conn struct {
	Config  Config // in sandbox mode with APIURL, ClientID and SecretKey from the sandbox
	Client  *apiclient.Client
	Runner  *Runner
	Sandbox EmbeddedSandbox // nil in live mode
}

// Connect makes the client for cfg, starting the embedded sandbox first in
// sandbox mode (with start). Close the Conn when done.
func Connect(ctx context.Context, cfg Config, start SandboxStarter, opts ...apiclient.Option) (*Conn, error) {
	c := &Conn{Config: cfg}
	if cfg.Mode != ModeLive {
		if start == nil {
			return nil, ErrNoSandbox
		}
		sb, err := start(ctx, cfg.ClientID, cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("starting the embedded sandbox: %w", err)
		}
		c.Sandbox = sb
		c.Config.Mode = ModeSandbox
		c.Config.APIURL, c.Config.ClientID, c.Config.SecretKey = sb.URL(), sb.ClientID(), sb.SecretKey()
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

// SandboxInfo asks a sandbox to describe itself (GET /v1/sandbox/info). The
// hosted API has no such route, so an error means "not a sandbox".
func (c *Conn) SandboxInfo(ctx context.Context) (*apiclient.SandboxInfo, error) {
	in, err := c.Client.SandboxInfo(apiclient.WithTag(ctx, "sandbox"))
	if err != nil {
		return nil, err
	}
	return &in, nil
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
