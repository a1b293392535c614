package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"walletconsole/apiclient"
)

// Mode says where calls go: the embedded sandbox or a live API.
type Mode string

const (
	ModeSandbox Mode = "sandbox" // no secret key: the embedded sandbox on loopback
	ModeLive    Mode = "live"    // a secret key is configured
)

// Defaults.
const (
	DefaultChainID  uint64 = 84532 // Base Sepolia, as in the seed
	DefaultDuration        = time.Hour
	DefaultTheme           = "default"
)

// Config is what every command runs with. Its String/Format never print the
// secret key.
type Config struct {
	Mode       Mode
	APIURL     string // "" in sandbox mode until the sandbox runs (see Connect)
	ClientID   string
	SecretKey  string
	ChainID    uint64
	Duration   time.Duration
	Reveal     bool
	Theme      string
	LogFile    string
	Mouse      bool
	Insecure   bool   // allow a secret key over plain http:// to a non-loopback host
	ConfigPath string // the file read (or that would have been read)
	NoColor    bool   // NO_COLOR is set (non-empty)
	// Warnings are settings that were given but have no effect.
	Warnings []string

	sources  map[string]Source
	fromDesc map[string]string
}

// Source says where a setting's value came from.
type Source string

const (
	SourceDefault Source = "default"
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"
	SourceFile    Source = "file"
	SourceSandbox Source = "sandbox" // filled in from the embedded sandbox
)

// Setting is one configured value for display; secrets come masked.
type Setting struct {
	Name   string // flag name: "api-url", "client-id"…
	Value  string
	Source Source
	From   string // "--client-id", "THIRDWEB_CLIENT_ID", the file's path, ""
}

// Flag names, shared by RegisterFlags, LoadConfig and the config file.
const (
	FlagAPIURL    = "api-url"
	FlagClientID  = "client-id"
	FlagSecretKey = "secret-key"
	FlagChain     = "chain"
	FlagDuration  = "duration"
	FlagConfig    = "config"
	FlagTheme     = "theme"
	FlagLog       = "log"
	FlagReveal    = "reveal"
	FlagMouse     = "mouse"
	FlagInsecure  = "insecure"
)

// Environment variables read by LoadConfig.
const (
	EnvAPIURL    = "THIRDWEB_API_URL"
	EnvClientID  = "THIRDWEB_CLIENT_ID"
	EnvSecretKey = "THIRDWEB_SECRET_KEY"
	EnvTheme     = "WALLETCONSOLE_THEME"
	EnvConfig    = "WALLETCONSOLE_CONFIG"
	EnvNoColor   = "NO_COLOR"
)

var settingOrder = []string{FlagAPIURL, FlagClientID, FlagSecretKey, FlagChain, FlagDuration, FlagTheme, FlagLog, FlagReveal, FlagMouse, FlagInsecure, FlagConfig}

var settingEnv = map[string]string{FlagAPIURL: EnvAPIURL, FlagClientID: EnvClientID, FlagSecretKey: EnvSecretKey, FlagTheme: EnvTheme, FlagConfig: EnvConfig}

// RegisterFlags defines the shared settings' flags on fs: the connection
// flags always, plus the named extras (FlagDuration, FlagTheme, FlagLog,
// FlagReveal, FlagMouse) a command uses, so its --help lists only what it
// reads. LoadConfig reads whichever of them are defined.
func RegisterFlags(fs *flag.FlagSet, extras ...string) {
	fs.String(FlagAPIURL, "", "API base URL (env "+EnvAPIURL+"; default "+apiclient.DefaultBaseURL+" with a secret key, else the embedded sandbox)")
	fs.String(FlagClientID, "", "client ID for client-side calls (env "+EnvClientID+")")
	fs.String(FlagSecretKey, "", "secret key for server-side calls; without one the embedded sandbox is used (env "+EnvSecretKey+")")
	cv := chainValue(DefaultChainID)
	fs.Var(&cv, FlagChain, "chain `ID`: a positive whole number such as 84532 (Base Sepolia) or 1 (Ethereum)")
	fs.Bool(FlagInsecure, false, "allow a secret key over plain http:// to a host that is not loopback (it travels unencrypted)")
	fs.String(FlagConfig, "", "config file (JSON; env "+EnvConfig+"; default "+DefaultConfigPath()+")")
	for _, name := range extras {
		switch name {
		case FlagDuration:
			fs.String(FlagDuration, "1h", "session key lifetime: 15m, 1h, 1d, 7d, 90m, or a time such as 18:00")
		case FlagTheme:
			fs.String(FlagTheme, "", "colour theme: default, projector, plain (env "+EnvTheme+")")
		case FlagLog:
			fs.String(FlagLog, "", "write a debug log to `FILE` (secrets masked)")
		case FlagReveal:
			fs.Bool(FlagReveal, false, "show secrets unmasked in curl exports")
		case FlagMouse:
			fs.Bool(FlagMouse, false, "enable mouse capture (breaks text selection)")
		default:
			panic("flows.RegisterFlags: unknown flag " + name) // a programming error
		}
	}
}

// chainValue is --chain: a flag.Value so that a bad value gets a message
// saying what a chain ID looks like, not strconv's "parse error".
type chainValue uint64

func (v *chainValue) String() string { return strconv.FormatUint(uint64(*v), 10) }

func (v *chainValue) Set(s string) error {
	n, err := ParseChainID(s)
	if err != nil {
		return err
	}
	*v = chainValue(n)
	return nil
}

// ParseChainID reads a chain ID: a positive whole number in decimal.
func ParseChainID(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a chain ID: a chain ID is a positive whole number, such as 84532 (Base Sepolia) or 1 (Ethereum)", s)
	}
	return n, nil
}

// ConsoleFlags are the extras the console takes: all of them.
var ConsoleFlags = []string{FlagDuration, FlagTheme, FlagLog, FlagReveal, FlagMouse}

// DefaultConfigPath is $XDG_CONFIG_HOME/walletconsole/config.json (or the
// platform's user config directory).
func DefaultConfigPath() string { return defaultConfigPath(os.Getenv) }

func defaultConfigPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if d, err := os.UserConfigDir(); err == nil {
			dir = d
		} else if h := getenv("HOME"); h != "" {
			dir = filepath.Join(h, ".config")
		} else {
			dir = "."
		}
	}
	return filepath.Join(dir, "walletconsole", "config.json")
}

// fileConfig is the JSON config file. Keys match exactly (as the json tags
// spell them); any other key is an error.
type fileConfig struct {
	APIURL    *string `json:"apiUrl"`
	ClientID  *string `json:"clientId"`
	SecretKey *string `json:"secretKey"`
	ChainID   *uint64 `json:"chainId"`
	Duration  *string `json:"duration"`
	Theme     *string `json:"theme"`
	Log       *string `json:"log"`
	Reveal    *bool   `json:"reveal"`
	Mouse     *bool   `json:"mouse"`
	Insecure  *bool   `json:"insecure"`
}

// configKeys are fileConfig's keys, exactly as spelled.
var configKeys = func() []string {
	t := reflect.TypeFor[fileConfig]()
	out := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}()

// LoadConfig resolves the configuration: flag > env > config file > default.
// fs must be parsed already (flags defined by RegisterFlags; any missing are
// skipped); getenv is os.Getenv outside tests. A missing default config file
// is fine; a malformed one, or a missing file named by --config, is an error.
func LoadConfig(fset *flag.FlagSet, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	now := time.Now()
	c := Config{sources: map[string]Source{}}
	from := map[string]string{}
	set := map[string]bool{}
	if fset != nil {
		fset.Visit(func(f *flag.Flag) { set[f.Name] = true })
	}
	// lookup returns the winning raw value of a string setting.
	lookup := func(name string, file *string) (string, bool) {
		if set[name] {
			c.sources[name], from[name] = SourceFlag, "--"+name
			return fset.Lookup(name).Value.String(), true
		}
		if env := settingEnv[name]; env != "" && name != FlagConfig {
			if v := getenv(env); v != "" {
				c.sources[name], from[name] = SourceEnv, env
				return v, true
			}
		}
		if file != nil {
			c.sources[name], from[name] = SourceFile, c.ConfigPath
			return *file, true
		}
		c.sources[name] = SourceDefault
		return "", false
	}

	// The config file itself: --config > WALLETCONSOLE_CONFIG > default.
	explicit := true
	switch {
	case set[FlagConfig]:
		c.ConfigPath = fset.Lookup(FlagConfig).Value.String()
		c.sources[FlagConfig], from[FlagConfig] = SourceFlag, "--"+FlagConfig
	case getenv(EnvConfig) != "":
		c.ConfigPath = getenv(EnvConfig)
		c.sources[FlagConfig], from[FlagConfig] = SourceEnv, EnvConfig
	default:
		c.ConfigPath = defaultConfigPath(getenv)
		c.sources[FlagConfig] = SourceDefault
		explicit = false
	}
	var fc fileConfig
	if b, err := os.ReadFile(c.ConfigPath); err == nil {
		if fc, err = parseConfigFile(c.ConfigPath, b); err != nil {
			return Config{}, err
		}
		if fc.SecretKey != nil && strings.TrimSpace(*fc.SecretKey) != "" {
			if err := checkSecretFileMode(c.ConfigPath); err != nil {
				return Config{}, err
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) || explicit {
		return Config{}, fmt.Errorf("config file %s: %w", c.ConfigPath, unwrapPathError(err))
	}

	var errs []error
	if v, ok := lookup(FlagAPIURL, fc.APIURL); ok {
		c.APIURL = strings.TrimRight(strings.TrimSpace(v), "/")
	}
	if v, ok := lookup(FlagClientID, fc.ClientID); ok {
		c.ClientID = strings.TrimSpace(v)
	}
	if v, ok := lookup(FlagSecretKey, fc.SecretKey); ok {
		c.SecretKey = strings.TrimSpace(v)
		if c.SecretKey != "" && c.sources[FlagSecretKey] == SourceFlag {
			c.Warnings = append(c.Warnings, "--secret-key on the command line is visible to other processes on this machine (ps); set "+EnvSecretKey+" or secretKey in the config file instead")
		}
	}
	var fileChain *string
	if fc.ChainID != nil {
		s := strconv.FormatUint(*fc.ChainID, 10)
		fileChain = &s
	}
	c.ChainID = DefaultChainID
	if v, ok := lookup(FlagChain, fileChain); ok {
		n, err := ParseChainID(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("chain (%s): %w", describe(c.sources[FlagChain], from[FlagChain]), err))
		}
		c.ChainID = n
	}
	c.Duration = DefaultDuration
	if v, ok := lookup(FlagDuration, fc.Duration); ok {
		d, err := ParseSessionDuration(v, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("duration (%s): %w", describe(c.sources[FlagDuration], from[FlagDuration]), err))
		}
		c.Duration = d
	}
	c.Theme = DefaultTheme
	if v, ok := lookup(FlagTheme, fc.Theme); ok && strings.TrimSpace(v) != "" {
		c.Theme = strings.ToLower(strings.TrimSpace(v))
	}
	if v, ok := lookup(FlagLog, fc.Log); ok {
		c.LogFile = v
	}
	c.Reveal = boolSetting(lookup, FlagReveal, fc.Reveal, &errs)
	c.Mouse = boolSetting(lookup, FlagMouse, fc.Mouse, &errs)
	c.Insecure = boolSetting(lookup, FlagInsecure, fc.Insecure, &errs)
	c.NoColor = getenv(EnvNoColor) != ""

	if c.SecretKey != "" {
		c.Mode = ModeLive
		if c.APIURL == "" {
			c.APIURL = apiclient.DefaultBaseURL
		}
	} else {
		c.Mode = ModeSandbox
		if c.APIURL != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("api URL %s (%s) is not used: without a secret key the embedded sandbox runs",
				c.APIURL, describe(c.sources[FlagAPIURL], from[FlagAPIURL])))
			c.APIURL = ""
		}
		if c.ClientID != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("client ID (%s) is not used: without a secret key the embedded sandbox runs",
				describe(c.sources[FlagClientID], from[FlagClientID])))
			c.ClientID = ""
		}
		c.sources[FlagAPIURL], c.sources[FlagClientID], c.sources[FlagSecretKey] = SourceSandbox, SourceSandbox, SourceSandbox
		delete(from, FlagAPIURL)
		delete(from, FlagClientID)
		delete(from, FlagSecretKey)
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs = append(errs, fmt.Errorf("api URL %q (%s) is not an http(s) URL", c.APIURL, describe(c.sources[FlagAPIURL], from[FlagAPIURL])))
		case plainHTTPWithSecret(c):
			errs = append(errs, fmt.Errorf("api URL %s (%s) %s", c.APIURL, describe(c.sources[FlagAPIURL], from[FlagAPIURL]), plainHTTPWhy))
		}
	}
	switch c.Theme {
	case "default", "projector", "plain":
	default:
		errs = append(errs, fmt.Errorf("theme %q (%s): want default, projector or plain", c.Theme, describe(c.sources[FlagTheme], from[FlagTheme])))
	}
	c.fromDesc = from
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

const plainHTTPWhy = "is plain http:// to another machine: the secret key would travel unencrypted, readable by anyone on the way; use https://, or pass --" +
	FlagInsecure + " (config key \"" + FlagInsecure + "\") if this network is trusted"

// plainHTTPWithSecret: the secret key would go over plain http to a host
// that is not this machine, and --insecure was not given.
func plainHTTPWithSecret(c Config) bool {
	if c.SecretKey == "" || c.Insecure {
		return false
	}
	u, err := url.Parse(c.APIURL)
	return err == nil && u.Scheme == "http" && !isLoopbackHost(u.Hostname())
}

// isLoopbackHost: localhost or a loopback IP, where plain http stays on
// this machine.
func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkSecretFileMode refuses a config file holding a secret key that its
// group or others may read, as ssh refuses such a private key: the key
// would be anyone's on a shared machine.
func checkSecretFileMode(path string) error {
	if runtime.GOOS == "windows" {
		return nil // no POSIX modes; ACLs are the user's business
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, unwrapPathError(err))
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("config file %s holds a secret key but its permissions %04o let other users read it; run: chmod 600 %s",
			path, perm, path)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func boolSetting(lookup func(string, *string) (string, bool), name string, file *bool, errs *[]error) bool {
	var fv *string
	if file != nil {
		s := strconv.FormatBool(*file)
		fv = &s
	}
	v, ok := lookup(name, fv)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s %q is not true or false", name, v))
	}
	return b
}

func describe(s Source, from string) string {
	if from == "" {
		return string(s)
	}
	if s == SourceFile {
		return "from " + from
	}
	return string(s) + " " + from
}

// parseConfigFile decodes the JSON config, naming file and line on error.
func parseConfigFile(path string, b []byte) (fileConfig, error) {
	var fc fileConfig
	if len(bytes.TrimSpace(b)) == 0 {
		return fc, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(&fc)
	if err == nil {
		if dec.More() {
			err = errors.New("more than one JSON value")
		} else if err = checkConfigKeys(b); err == nil {
			return fc, nil
		}
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		// DisallowUnknownFields names the key; say which keys there are.
		key := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fc, fmt.Errorf("config file %s: %s", path, unknownKeyMsg(key))
	}
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		err = fmt.Errorf("%s should be %s, not JSON %s", te.Field, configKind(te.Field), te.Value)
	}
	if off >= 0 {
		line, col := cfgLineCol(b, off)
		return fc, fmt.Errorf("config file %s:%d:%d: %w", path, line, col, err)
	}
	return fc, fmt.Errorf("config file %s: %w", path, err)
}

// checkConfigKeys: encoding/json matches keys without regard to case, so
// {"chainID": 1} would be taken as chainId; keys must be spelled exactly.
func checkConfigKeys(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(configKeys, k) {
			return errors.New(unknownKeyMsg(k))
		}
	}
	return nil
}

func unknownKeyMsg(key string) string {
	for _, k := range configKeys {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf("unknown key %q: keys are case-sensitive, did you mean %q?", key, k)
		}
	}
	return fmt.Sprintf("unknown key %q (known keys: %s)", key, strings.Join(configKeys, ", "))
}

// configKind says in words what a key's value must be.
func configKind(key string) string {
	switch key {
	case "chainId":
		return "a chain ID (a positive whole number such as 84532)"
	case "reveal", "mouse", "insecure":
		return "true or false"
	}
	return "a string"
}

func cfgLineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	pre := b[:off]
	line := bytes.Count(pre, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(pre, '\n')
	if off > 0 && col > 1 {
		col-- // Offset is just past the offending byte
	}
	return line, col
}

// Source returns where the named setting (a Flag* name) came from.
func (c Config) Source(name string) Source {
	if s, ok := c.sources[name]; ok {
		return s
	}
	return SourceDefault
}

// Sources lists every setting with its value (secret masked) and origin, for
// display.
func (c Config) Sources() []Setting {
	vals := map[string]string{
		FlagAPIURL:    c.APIURL,
		FlagClientID:  c.ClientID,
		FlagSecretKey: maskedOrEmpty(c.SecretKey),
		FlagChain:     strconv.FormatUint(c.ChainID, 10),
		FlagDuration:  c.Duration.String(),
		FlagTheme:     c.Theme,
		FlagLog:       c.LogFile,
		FlagReveal:    strconv.FormatBool(c.Reveal),
		FlagMouse:     strconv.FormatBool(c.Mouse),
		FlagInsecure:  strconv.FormatBool(c.Insecure),
		FlagConfig:    c.ConfigPath,
	}
	out := make([]Setting, 0, len(settingOrder))
	for _, n := range settingOrder {
		out = append(out, Setting{Name: n, Value: vals[n], Source: c.Source(n), From: c.fromDesc[n]})
	}
	return out
}

func maskedOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return apiclient.MaskSecret(s)
}

// String prints the config on one line, the secret key masked.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mode=%s api=%s client=%s secret=%s chain=%d duration=%s theme=%s",
		c.Mode, orNone(c.APIURL), orNone(c.ClientID), orNone(maskedOrEmpty(c.SecretKey)), c.ChainID, c.Duration, c.Theme)
	if c.LogFile != "" {
		b.WriteString(" log=" + c.LogFile)
	}
	if c.Reveal {
		b.WriteString(" reveal")
	}
	if c.Mouse {
		b.WriteString(" mouse")
	}
	if c.Insecure {
		b.WriteString(" insecure")
	}
	if c.NoColor {
		b.WriteString(" no-color")
	}
	return b.String()
}

// Format makes every verb (%v, %+v, %#v, %s, %q) print String(), so the
// secret key never reaches logs through fmt.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	fmt.Fprint(f, c.String())
}

// GoString masks like String.
func (c Config) GoString() string { return "flows.Config{" + c.String() + "}" }

// MarshalJSON writes the config with the secret key masked, so that
// encoding a Config for a log or a status line cannot leak it.
func (c Config) MarshalJSON() ([]byte, error) {
	m := map[string]any{
		"mode": c.Mode, "apiUrl": c.APIURL, "clientId": c.ClientID, "secretKey": maskedOrEmpty(c.SecretKey),
		"chainId": c.ChainID, "duration": c.Duration.String(), "theme": c.Theme, "log": c.LogFile,
		"reveal": c.Reveal, "mouse": c.Mouse, "insecure": c.Insecure, "config": c.ConfigPath,
	}
	return json.Marshal(m)
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Validate reports settings a live run cannot do without.
func (c Config) Validate() error {
	if c.Mode == ModeLive && c.ClientID == "" {
		return fmt.Errorf("live mode (a secret key is set) also needs a client ID: --%s or %s", FlagClientID, EnvClientID)
	}
	if c.Mode == ModeLive && c.APIURL == "" {
		return errors.New("no API URL")
	}
	// Also here, not only in LoadConfig: a Config edited afterwards (the
	// console's connect screen) is checked when it connects.
	if plainHTTPWithSecret(c) {
		return fmt.Errorf("api URL %s %s", c.APIURL, plainHTTPWhy)
	}
	return nil
}
