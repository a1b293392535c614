package flows

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
)

const cfgSecret = "sk_live_0123456789abcdef_9f2"

func parseFlags(t *testing.T, args ...string) *flag.FlagSet {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	RegisterFlags(fs, ConsoleFlags...)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	// The default file lives under XDG_CONFIG_HOME.
	writeFile(t, dir, "walletconsole/config.json", `{
  "apiUrl": "https://file.example/v1",
  "clientId": "file-client",
  "secretKey": "sk_file_secret_value_123",
  "chainId": 1,
  "duration": "15m",
  "theme": "projector",
  "mouse": true
}`)
	base := map[string]string{"XDG_CONFIG_HOME": dir}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(c Config) string // "" = ok
		sources map[string]Source
	}{
		{name: "file only", env: base, want: func(c Config) string {
			return expect(c.Mode == ModeLive && c.APIURL == "https://file.example/v1" && c.ClientID == "file-client" &&
				c.SecretKey == "sk_file_secret_value_123" && c.ChainID == 1 && c.Duration == 15*time.Minute &&
				c.Theme == "projector" && c.Mouse && !c.Reveal)
		}, sources: map[string]Source{FlagAPIURL: SourceFile, FlagChain: SourceFile, FlagReveal: SourceDefault, FlagLog: SourceDefault}},
		{name: "env over file", env: with(EnvAPIURL, "https://env.example/v1/", EnvClientID, "env-client", EnvSecretKey, cfgSecret, EnvTheme, "plain", EnvNoColor, "1"),
			want: func(c Config) string {
				return expect(c.APIURL == "https://env.example/v1" && c.ClientID == "env-client" && c.SecretKey == cfgSecret &&
					c.Theme == "plain" && c.NoColor && c.ChainID == 1)
			}, sources: map[string]Source{FlagAPIURL: SourceEnv, FlagSecretKey: SourceEnv, FlagChain: SourceFile}},
		{name: "flag over env", args: []string{"--api-url", "http://127.0.0.1:9/v1", "--client-id", "flag-client", "--chain", "84532", "--duration", "1d", "--reveal", "--theme", "default"},
			env: with(EnvAPIURL, "https://env.example/v1", EnvClientID, "env-client"),
			want: func(c Config) string {
				return expect(c.APIURL == "http://127.0.0.1:9/v1" && c.ClientID == "flag-client" && c.ChainID == 84532 &&
					c.Duration == 24*time.Hour && c.Reveal && c.Theme == "default" && c.SecretKey == "sk_file_secret_value_123")
			}, sources: map[string]Source{FlagAPIURL: SourceFlag, FlagClientID: SourceFlag, FlagDuration: SourceFlag, FlagSecretKey: SourceFile}},
		{name: "defaults, sandbox mode", env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()},
			want: func(c Config) string {
				return expect(c.Mode == ModeSandbox && c.APIURL == "" && c.SecretKey == "" && c.ChainID == DefaultChainID &&
					c.Duration == time.Hour && c.Theme == "default" && !c.Mouse && len(c.Warnings) == 0)
			}, sources: map[string]Source{FlagAPIURL: SourceSandbox, FlagChain: SourceDefault, FlagConfig: SourceDefault}},
		{name: "no secret: api url and client id warned", args: []string{"--api-url", "https://x.example/v1"},
			env: map[string]string{"XDG_CONFIG_HOME": t.TempDir(), EnvClientID: "c"},
			want: func(c Config) string {
				return expect(c.Mode == ModeSandbox && c.APIURL == "" && c.ClientID == "" && len(c.Warnings) == 2)
			}},
		{name: "secret via env defaults the hosted URL", env: map[string]string{"XDG_CONFIG_HOME": t.TempDir(), EnvSecretKey: cfgSecret, EnvClientID: "c"},
			want: func(c Config) string {
				return expect(c.Mode == ModeLive && c.APIURL == apiclient.DefaultBaseURL && c.Validate() == nil)
			}, sources: map[string]Source{FlagAPIURL: SourceDefault, FlagSecretKey: SourceEnv}},
		{name: "explicit --config", args: []string{"--config", writeFile(t, dir, "other.json", `{"chainId": 10, "reveal": true}`)}, env: base,
			want:    func(c Config) string { return expect(c.ChainID == 10 && c.Reveal && c.Mode == ModeSandbox) },
			sources: map[string]Source{FlagConfig: SourceFlag, FlagChain: SourceFile, FlagReveal: SourceFile}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(parseFlags(t, tc.args...), envOf(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.want(c); msg != "" {
				t.Errorf("unexpected config %+v (%v)", c.Sources(), c.Warnings)
			}
			for name, want := range tc.sources {
				if got := c.Source(name); got != want {
					t.Errorf("source of %s = %s, want %s", name, got, want)
				}
			}
		})
	}
}

func expect(ok bool) string {
	if ok {
		return ""
	}
	return "mismatch"
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.json", "{\n  \"chainId\": 1,\n  \"theme\": \"plain\"\n  \"mouse\": true\n}\n")
	typed := writeFile(t, dir, "typed.json", "{\n  \"chainId\": \"one\"\n}\n")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"malformed file names file and line", []string{"--config", bad}, nil, []string{bad + ":4:", "invalid character"}},
		{"wrong type names file and line", []string{"--config", typed}, nil, []string{typed + ":2:", "chainId"}},
		{"explicit missing file", []string{"--config", filepath.Join(dir, "nope.json")}, nil, []string{"nope.json", "no such file"}},
		{"bad duration", []string{"--duration", "forever"}, nil, []string{"duration (flag --duration)"}},
		{"zero duration", []string{"--duration", "0s"}, nil, []string{"duration"}},
		{"bad chain from env config", nil, map[string]string{EnvConfig: writeFile(t, dir, "c0.json", `{"chainId": 0}`)}, []string{"chain"}},
		{"bad theme", []string{"--theme", "neon"}, nil, []string{"theme \"neon\""}},
		{"bad url", []string{"--api-url", "ftp://x", "--secret-key", cfgSecret}, nil, []string{"not an http(s) URL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := LoadConfig(parseFlags(t, tc.args...), envOf(env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), cfgSecret) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
	// Live mode without a client ID fails validation.
	c, err := LoadConfig(parseFlags(t, "--secret-key", cfgSecret), envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "client ID") {
		t.Errorf("Validate = %v", err)
	}
}

func TestConfigMasksSecret(t *testing.T) {
	c, err := LoadConfig(parseFlags(t, "--secret-key", cfgSecret, "--client-id", "cid"), envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(c)
	outs := []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c, c), fmt.Sprintf("%v", &c), c.GoString(), string(j)}
	for _, s := range c.Sources() {
		outs = append(outs, s.Value)
	}
	for _, o := range outs {
		if strings.Contains(o, cfgSecret) {
			t.Errorf("secret printed: %s", o)
		}
	}
	if !strings.Contains(c.String(), apiclient.MaskSecret(cfgSecret)) || !strings.Contains(c.String(), "mode=live") {
		t.Errorf("String() = %s", c)
	}
	var found bool
	for _, s := range c.Sources() {
		if s.Name == FlagSecretKey {
			found = s.Source == SourceFlag && s.From == "--secret-key" && s.Value == apiclient.MaskSecret(cfgSecret)
		}
	}
	if !found {
		t.Errorf("Sources: %+v", c.Sources())
	}
}

func TestDefaultConfigPath(t *testing.T) {
	if p := defaultConfigPath(envOf(map[string]string{"XDG_CONFIG_HOME": "/x"})); p != "/x/walletconsole/config.json" {
		t.Error(p)
	}
	if !strings.HasSuffix(DefaultConfigPath(), filepath.Join("walletconsole", "config.json")) {
		t.Error(DefaultConfigPath())
	}
}

// Config keys are exact: a near miss ("chainID") or a stranger ("foo") is
// an error naming the key, never taken or ignored silently.
func TestConfigFileKeysExact(t *testing.T) {
	for body, want := range map[string]string{
		`{"chainID": 1}`:                  `unknown key "chainID": keys are case-sensitive, did you mean "chainId"?`,
		`{"foo": 1}`:                      `unknown key "foo" (known keys: apiUrl, clientId`,
		`{"theme": "plain", "Theme": ""}`: `unknown key "Theme"`,
		`{"chainId": 1}{"chainId": 2}`:    `more than one JSON value`,
	} {
		dir := t.TempDir()
		p := writeFile(t, dir, "c.json", body)
		_, err := LoadConfig(parseFlags(t, "--config", p), envOf(nil))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want it to contain %q and the file", body, err, want)
		}
	}
	p := writeFile(t, t.TempDir(), "ok.json", `{"chainId": 10, "insecure": true}`)
	if c, err := LoadConfig(parseFlags(t, "--config", p), envOf(nil)); err != nil || c.ChainID != 10 || !c.Insecure {
		t.Errorf("exact keys refused: %v", err)
	}
}

// A config file holding a secret key that others can read is refused, with
// the reason and the fix, as ssh does; without a secret the mode is fine.
func TestConfigFileWithSecretMustBePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "c.json", `{"secretKey": "`+cfgSecret+`", "clientId": "c"}`)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		os.Chmod(p, mode)
		_, err := LoadConfig(parseFlags(t, "--config", p), envOf(nil))
		if err == nil || !strings.Contains(err.Error(), "let other users read it") || !strings.Contains(err.Error(), "chmod 600 "+p) {
			t.Errorf("mode %04o: %v", mode, err)
		}
		if err != nil && strings.Contains(err.Error(), cfgSecret) {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	os.Chmod(p, 0o600)
	if _, err := LoadConfig(parseFlags(t, "--config", p), envOf(nil)); err != nil {
		t.Errorf("0600 refused: %v", err)
	}
	q := writeFile(t, dir, "nosecret.json", `{"chainId": 1}`)
	os.Chmod(q, 0o644)
	if _, err := LoadConfig(parseFlags(t, "--config", q), envOf(nil)); err != nil {
		t.Errorf("a file without a secret may be readable: %v", err)
	}
}

// A secret key over plain http:// to another machine is refused unless
// --insecure; loopback and https are fine.
func TestPlainHTTPWithSecretNeedsInsecure(t *testing.T) {
	env := envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir(), EnvSecretKey: cfgSecret, EnvClientID: "c"})
	_, err := LoadConfig(parseFlags(t, "--api-url", "http://api.example.com/v1"), env)
	if err == nil || !strings.Contains(err.Error(), "unencrypted") || !strings.Contains(err.Error(), "--insecure") {
		t.Errorf("plain http allowed or unclear: %v", err)
	}
	for _, args := range [][]string{
		{"--api-url", "http://api.example.com/v1", "--insecure"},
		{"--api-url", "http://127.0.0.1:8787/v1"},
		{"--api-url", "http://localhost:8787/v1"},
		{"--api-url", "http://[::1]:8787/v1"},
		{"--api-url", "https://api.example.com/v1"},
	} {
		if _, err := LoadConfig(parseFlags(t, args...), env); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
	p := writeFile(t, t.TempDir(), "c.json", `{"insecure": true, "apiUrl": "http://10.0.0.5/v1"}`)
	if c, err := LoadConfig(parseFlags(t, "--config", p), env); err != nil || !c.Insecure {
		t.Errorf("config key insecure: %v", err)
	}
}

func TestSecretKeyFlagWarns(t *testing.T) {
	env := envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir(), EnvClientID: "c"})
	c, err := LoadConfig(parseFlags(t, "--secret-key", cfgSecret), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "visible to other processes") || strings.Contains(c.Warnings[0], cfgSecret) {
		t.Errorf("warnings %q", c.Warnings)
	}
	c, _ = LoadConfig(parseFlags(t), envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir(), EnvClientID: "c", EnvSecretKey: cfgSecret}))
	if len(c.Warnings) != 0 {
		t.Errorf("env is the quiet way: %q", c.Warnings)
	}
}

func TestChainFlagSaysWhatAChainIDIs(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	RegisterFlags(fs)
	for _, v := range []string{"abc", "0", "-1", "1.5"} {
		err := fs.Parse([]string{"--chain", v})
		if err == nil || !strings.Contains(err.Error(), "a chain ID is a positive whole number, such as 84532") {
			t.Errorf("--chain %s: %v", v, err)
		}
	}
	if err := fs.Parse([]string{"--chain", "10"}); err != nil || fs.Lookup("chain").Value.String() != "10" {
		t.Errorf("--chain 10: %v", err)
	}
}

func TestConfigFileValueTypesInWords(t *testing.T) {
	for body, want := range map[string]string{
		`{"chainId": "abc"}`:     `chainId should be a chain ID (a positive whole number such as 84532), not JSON string`,
		`{"chainId": -1}`:        `chainId should be a chain ID`,
		`{"reveal": "yes"}`:      `reveal should be true or false, not JSON string`,
		`{"clientId": 5}`:        `clientId should be a string, not JSON number`,
		"{\n  \"chainId\": 0\n}": `is not a chain ID: a chain ID is a positive whole number`,
	} {
		p := writeFile(t, t.TempDir(), "c.json", body)
		_, err := LoadConfig(parseFlags(t, "--config", p), envOf(nil))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "uint64") {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// Connect refuses it too, for a Config built or edited after LoadConfig.
func TestConnectRefusesPlainHTTPWithSecret(t *testing.T) {
	cfg := Config{Mode: ModeLive, APIURL: "http://10.1.2.3/v1", ClientID: "c", SecretKey: cfgSecret}
	if _, err := Connect(t.Context(), cfg, nil); err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("Connect: %v", err)
	}
	cfg.Insecure = true
	if c, err := Connect(t.Context(), cfg, nil); err != nil {
		t.Errorf("with Insecure: %v", err)
	} else {
		c.Close()
	}
}
