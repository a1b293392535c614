package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"walletconsole/apiclient"
)

// PolicySet is a grant kept in a file: the create-session-key body's own
// shape without chainId and sessionKeyAddress. DurationInSeconds may be
// absent (0): the caller's default duration applies then.
type PolicySet struct {
	GrantFullPermissions bool                       `json:"grantFullPermissions"`
	DurationInSeconds    int64                      `json:"durationInSeconds,omitempty"`
	CallPolicies         []apiclient.CallPolicy     `json:"callPolicies,omitempty"`
	TransferPolicies     []apiclient.TransferPolicy `json:"transferPolicies,omitempty"`
	// Tests are dry-run cases for `policy test` (see ParsePolicyTests),
	// kept raw so a load and save keeps them; never sent to the API.
	Tests json.RawMessage `json:"tests,omitempty"`
}

// maxPolicyFile bounds what ParsePolicySet reads (a real set is a few KB).
const maxPolicyFile = 1 << 20

// ParsePolicySet reads and validates a policy set. Every problem is
// reported with its JSON path (callPolicies[0].constraints[1].refValue: …),
// one per line; unknown fields are refused by name. grantFullPermissions
// defaults to false when absent (a file restricts unless it says otherwise;
// note the API's own default is true). Two call policies with the same
// target and selector, or two transfer policies with the same target, are
// refused: the contract uses only the first.
func ParsePolicySet(b []byte) (PolicySet, error) {
	var s PolicySet
	if len(b) > maxPolicyFile {
		return s, fmt.Errorf("policy file is %d bytes, more than the %d a policy set needs", len(b), maxPolicyFile)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return s, errors.New("policy file is empty: expected a JSON object such as {\"grantFullPermissions\": false, \"callPolicies\": [...]}")
	}
	if err := checkSyntax(b); err != nil {
		return PolicySet{}, err
	}
	var pe pathErrors
	decodePolicySet(&pe, b, &s)
	if len(pe) > 0 {
		return PolicySet{}, pe.Err()
	}
	if err := s.Validate(); err != nil {
		return PolicySet{}, err
	}
	return s, nil
}

// Validate checks the whole set, reporting every problem with its JSON path.
func (s PolicySet) Validate() error {
	var pe pathErrors
	if s.DurationInSeconds < 0 {
		pe.add("durationInSeconds", "%d is negative: expected seconds > 0, or leave it out", s.DurationInSeconds)
	} else if s.DurationInSeconds > int64(MaxSessionDuration.Seconds()) {
		pe.add("durationInSeconds", "%d is beyond the API's maximum of 31536000 (365 days)", s.DurationInSeconds)
	}
	calls := map[string]int{}
	for i, p := range s.CallPolicies {
		path := fmt.Sprintf("callPolicies[%d]", i)
		pe = append(pe, validateCall(p, path)...)
		k := strings.ToLower(p.Target + "/" + p.Selector)
		if j, dup := calls[k]; dup {
			pe.add(path, "same target and selector as callPolicies[%d]: only the first would ever apply; merge them", j)
		} else {
			calls[k] = i
		}
	}
	transfers := map[string]int{}
	for i, p := range s.TransferPolicies {
		path := fmt.Sprintf("transferPolicies[%d]", i)
		pe = append(pe, validateTransfer(p, path)...)
		k := strings.ToLower(p.Target)
		if j, dup := transfers[k]; dup {
			pe.add(path, "same target as transferPolicies[%d]: only the first would ever apply; merge them", j)
		} else {
			transfers[k] = i
		}
	}
	return pe.Err()
}

// checkSyntax reports malformed JSON with its line and column, and
// anything after the object.
func checkSyntax(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(b, se.Offset-1) // Offset is just past the bad byte
			return fmt.Errorf("policy file is not valid JSON at line %d, column %d: %v", line, col, se)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return errors.New("policy file ends too early: the JSON is cut off")
		}
		return fmt.Errorf("policy file is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("policy file has more after the JSON object: expected exactly one object")
	}
	return nil
}

func lineCol(b []byte, off int64) (int, int) {
	off = max(off, 0)
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// The decoder below walks the (syntactically valid) JSON by hand so every
// error names its full path with array indices (encoding/json does not
// record them) and unknown fields are refused by name.

type fieldFunc func(pe *pathErrors, raw json.RawMessage, path string)

// decodeObject decodes a JSON object whose fields are handled by fields;
// null leaves the target untouched.
func decodeObject(pe *pathErrors, raw json.RawMessage, path, what string, fields map[string]fieldFunc, order []string) {
	if isNull(raw) {
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		pe.add(pathOr(path), "expected %s (a JSON object), got %s", what, jsonKind(raw))
		return
	}
	var unknown []string
	for k := range m {
		if _, ok := fields[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	sortStrings(unknown)
	for _, k := range unknown {
		pe.add(join(path, k), "unknown field %q: %s takes %s", k, what, strings.Join(order, ", "))
	}
	for _, k := range order {
		if v, ok := m[k]; ok {
			fields[k](pe, v, join(path, k))
		}
	}
}

// decodeArray decodes a JSON array (or null), calling elem for each item.
func decodeArray(pe *pathErrors, raw json.RawMessage, path string, elem func(i int, raw json.RawMessage, path string)) {
	if isNull(raw) {
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		pe.add(path, "expected an array, got %s", jsonKind(raw))
		return
	}
	for i, it := range items {
		elem(i, it, fmt.Sprintf("%s[%d]", path, i))
	}
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func pathOr(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

// jsonKind names the kind of a JSON value for messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string " + quoteShort(string(t[1:max(len(t)-1, 1)]))
	case 't', 'f':
		return "a bool " + string(t)
	case 'n':
		return "null"
	}
	return "the number " + quoteShort(string(t))
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func decodeString(dst *string) fieldFunc {
	return func(pe *pathErrors, raw json.RawMessage, path string) {
		if isNull(raw) {
			return
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			pe.add(path, "expected a string, got %s", jsonKind(raw))
		}
	}
}

func decodeBool(dst *bool) fieldFunc {
	return func(pe *pathErrors, raw json.RawMessage, path string) {
		if isNull(raw) {
			return
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			pe.add(path, "expected true or false, got %s", jsonKind(raw))
		}
	}
}

func decodeDecimal(dst *apiclient.Decimal) fieldFunc {
	return func(pe *pathErrors, raw json.RawMessage, path string) {
		if err := json.Unmarshal(raw, dst); err != nil {
			pe.add(path, "%v: expected a whole decimal number as a string, e.g. \"1000\"", err)
		}
	}
}

// decodeUint reads a whole JSON number (or a decimal string) up to max.
func decodeUint(pe *pathErrors, raw json.RawMessage, path string, limit uint64, what string) (uint64, bool) {
	var d apiclient.Decimal
	if err := json.Unmarshal(raw, &d); err != nil {
		pe.add(path, "%v: expected %s", err, what)
		return 0, false
	}
	v, _ := d.Big()
	if !v.IsUint64() || v.Uint64() > limit {
		pe.add(path, "%s is out of range: expected %s", v, what)
		return 0, false
	}
	return v.Uint64(), true
}

func decodeLimit(dst **apiclient.UsageLimit) fieldFunc {
	return func(pe *pathErrors, raw json.RawMessage, path string) {
		if isNull(raw) {
			return
		}
		l := &apiclient.UsageLimit{}
		decodeObject(pe, raw, path, "a usage limit", map[string]fieldFunc{
			"limitType": func(pe *pathErrors, raw json.RawMessage, path string) {
				if v, ok := decodeUint(pe, raw, path, 255, "a limit type 0 (unlimited), 1 (lifetime) or 2 (allowance)"); ok {
					l.LimitType = apiclient.LimitType(v)
				}
			},
			"limit":  decodeDecimal(&l.Limit),
			"period": decodeDecimal(&l.Period),
		}, []string{"limitType", "limit", "period"})
		// docs/api.md §4: absent limit and period are 0.
		if l.Limit == "" {
			l.Limit = "0"
		}
		if l.Period == "" {
			l.Period = "0"
		}
		*dst = l
	}
}

func decodeConstraint(pe *pathErrors, raw json.RawMessage, path string, c *apiclient.Constraint) {
	decodeObject(pe, raw, path, "a constraint", map[string]fieldFunc{
		"condition": func(pe *pathErrors, raw json.RawMessage, path string) {
			if v, ok := decodeUint(pe, raw, path, 255, "a condition 0 to 6"); ok {
				c.Condition = apiclient.Condition(v)
			}
		},
		"index": func(pe *pathErrors, raw json.RawMessage, path string) {
			if v, ok := decodeUint(pe, raw, path, 1<<63, "an argument index 0, 1, 2…"); ok {
				c.Index = v
			}
		},
		"refValue": decodeString(&c.RefValue),
		"limit":    decodeLimit(&c.Limit),
	}, []string{"condition", "index", "refValue", "limit"})
	if c.RefValue == "" {
		c.RefValue = zeroWord // docs/api.md §4: omitted refValue is the zero word
	}
}

func decodeCallPolicy(pe *pathErrors, raw json.RawMessage, path string, p *apiclient.CallPolicy) {
	decodeObject(pe, raw, path, "a call policy", map[string]fieldFunc{
		"target":         decodeString(&p.Target),
		"selector":       decodeString(&p.Selector),
		"maxValuePerUse": decodeDecimal(&p.MaxValuePerUse),
		"valueLimit":     decodeLimit(&p.ValueLimit),
		"constraints": func(pe *pathErrors, raw json.RawMessage, path string) {
			decodeArray(pe, raw, path, func(i int, raw json.RawMessage, path string) {
				var c apiclient.Constraint
				decodeConstraint(pe, raw, path, &c)
				p.Constraints = append(p.Constraints, c)
			})
		},
	}, []string{"target", "selector", "maxValuePerUse", "valueLimit", "constraints"})
}

func decodeTransferPolicy(pe *pathErrors, raw json.RawMessage, path string, p *apiclient.TransferPolicy) {
	decodeObject(pe, raw, path, "a transfer policy", map[string]fieldFunc{
		"target":         decodeString(&p.Target),
		"maxValuePerUse": decodeDecimal(&p.MaxValuePerUse),
		"valueLimit":     decodeLimit(&p.ValueLimit),
	}, []string{"target", "maxValuePerUse", "valueLimit"})
}

func decodePolicySet(pe *pathErrors, raw json.RawMessage, s *PolicySet) {
	if b := bytes.TrimSpace(raw); len(b) == 0 || b[0] != '{' {
		pe.add("(top level)", "expected a policy set (a JSON object with grantFullPermissions, durationInSeconds, callPolicies, transferPolicies), got %s", jsonKind(raw))
		return
	}
	decodeObject(pe, raw, "", "a policy set", map[string]fieldFunc{
		"grantFullPermissions": decodeBool(&s.GrantFullPermissions),
		"durationInSeconds": func(pe *pathErrors, raw json.RawMessage, path string) {
			if v, ok := decodeUint(pe, raw, path, 1<<62, "seconds > 0"); ok {
				s.DurationInSeconds = int64(v)
			}
		},
		"callPolicies": func(pe *pathErrors, raw json.RawMessage, path string) {
			decodeArray(pe, raw, path, func(i int, raw json.RawMessage, path string) {
				var p apiclient.CallPolicy
				decodeCallPolicy(pe, raw, path, &p)
				s.CallPolicies = append(s.CallPolicies, p)
			})
		},
		"transferPolicies": func(pe *pathErrors, raw json.RawMessage, path string) {
			decodeArray(pe, raw, path, func(i int, raw json.RawMessage, path string) {
				var p apiclient.TransferPolicy
				decodeTransferPolicy(pe, raw, path, &p)
				s.TransferPolicies = append(s.TransferPolicies, p)
			})
		},
		"tests": func(pe *pathErrors, raw json.RawMessage, path string) {
			if _, err := parsePolicyTests(raw, path); err != nil {
				*pe = append(*pe, strings.Split(err.Error(), "\n")...)
				return
			}
			s.Tests = append(json.RawMessage(nil), raw...)
		},
	}, []string{"grantFullPermissions", "durationInSeconds", "callPolicies", "transferPolicies", "tests"})
}

// LoadPolicyFile reads and validates a policy set file. Errors name the
// path once ("load ./p.json: no such file", "load ./x/p.json: directory
// ./x does not exist").
func LoadPolicyFile(path string) (PolicySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return PolicySet{}, fileError("load", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return PolicySet{}, fileError("load", path, err)
	}
	s, err := ParsePolicySet(b)
	if err != nil {
		return PolicySet{}, fmt.Errorf("load %s: %w", path, err)
	}
	return s, nil
}

// ErrFileExists is CreatePolicyFile's answer when path is already a file
// (the console then asks before overwriting).
var ErrFileExists = errors.New("file exists")

// CreatePolicyFile is SavePolicyFile that never overwrites: an existing
// path gives an error wrapping ErrFileExists.
func CreatePolicyFile(path string, s PolicySet) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("save %s: %w", path, ErrFileExists)
	}
	return SavePolicyFile(path, s)
}

// fileError words a file-system error once, with the path the user gave:
// never a temporary file's name, and for a missing directory the first
// directory that is really missing.
func fileError(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		missing := ""
		for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
			if _, serr := os.Stat(dir); serr == nil {
				break
			}
			missing = dir
			if next := filepath.Dir(dir); next == dir {
				break
			}
		}
		if missing != "" {
			return fmt.Errorf("%s %s: directory %s does not exist", op, path, missing)
		}
		return fmt.Errorf("%s %s: no such file", op, path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s %s: permission denied", op, path)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s %s: a part of the path is a file, not a directory", op, path)
	}
	return fmt.Errorf("%s %s: %v", op, path, err)
}

// MarshalPolicySet renders a set as indented JSON with a final newline.
func MarshalPolicySet(s PolicySet) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// SavePolicyFile validates s and writes it as indented JSON, atomically: a
// temporary file in the same directory, synced, renamed over path, mode
// 0644.
func SavePolicyFile(path string, s PolicySet) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("save %s: not saved: %w", path, err)
	}
	b, err := MarshalPolicySet(s)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fileError("save", path, err) // the user's path, not the temporary name
	}
	name := tmp.Name()
	defer func() {
		if name != "" {
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fileError("save", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fileError("save", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fileError("save", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fileError("save", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fileError("save", path, err)
	}
	name = ""
	return nil
}
