package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"walletconsole/flows"
)

// Live lint (issue 11 §5): the findings of `walletconsole policy lint` for
// what ctrl+s would grant, recomputed in revalidate (on every change of the
// draft, never in View) and listed above the request body. Errors (a
// duplicate that never applies, a policy on the account itself, a set the
// API refuses) block the grant like an invalid field; warnings do not.

// lintSet is what ctrl+s would grant, as a policy set: every policy that
// builds (the form marks the others), with the editors' index of each, so a
// finding's path names the policy the user sees.
func (m *permissionsModel) lintSet() (set flows.PolicySet, callIdx, trIdx []int) {
	set.GrantFullPermissions = m.full
	if d, err := m.dur.resolve(m.now()); err == nil {
		set.DurationInSeconds = int64((d + time.Second - 1) / time.Second)
	}
	if m.full {
		return set, nil, nil // full access sends no policies
	}
	for i, e := range m.calls {
		if p, fe := e.input().Build(); len(fe) == 0 {
			set.CallPolicies = append(set.CallPolicies, p)
			callIdx = append(callIdx, i)
		}
	}
	for i, e := range m.transfers {
		if p, fe := e.input().Build(); len(fe) == 0 {
			set.TransferPolicies = append(set.TransferPolicies, p)
			trIdx = append(trIdx, i)
		}
	}
	return set, callIdx, trIdx
}

// lintOptions are the CLI's (`policy lint --account`), filled from the
// session: the user's account, and the signatures typed in the editors (and
// named by a loaded file's tests) so signed arguments are known. The console's body always writes
// grantFullPermissions, so its absence is never a finding here.
func (m *permissionsModel) lintOptions() flows.LintOptions {
	opts := flows.LintOptions{Account: m.c.sess.login.Address, GrantFullPresent: true}
	for _, e := range m.calls {
		if sel, ok := e.selector(); ok && sel.Known() {
			opts.Functions = append(opts.Functions, sel)
		}
	}
	// A loaded file's test cases name functions too, as `policy lint` reads them.
	cases, _ := flows.ParsePolicyTests(m.tests)
	for _, c := range cases {
		if c.Call == nil {
			continue
		}
		if sel, err := flows.ParseSelector(c.Call.Signature); err == nil && sel.Known() {
			opts.Functions = append(opts.Functions, sel)
		}
	}
	return opts
}

var lintPathRe = regexp.MustCompile(`(callPolicies|transferPolicies)\[(\d+)\]`)

// relint recomputes the findings (revalidate calls it).
func (m *permissionsModel) relint() {
	set, callIdx, trIdx := m.lintSet()
	fs := flows.LintPolicySet(set, m.lintOptions())
	// Paths count built policies; the editors may hold invalid ones between.
	fix := func(s string) string {
		return lintPathRe.ReplaceAllStringFunc(s, func(p string) string {
			sm := lintPathRe.FindStringSubmatch(p)
			i, _ := strconv.Atoi(sm[2])
			idx := callIdx
			if sm[1] == "transferPolicies" {
				idx = trIdx
			}
			if i < len(idx) {
				i = idx[i]
			}
			return fmt.Sprintf("%s[%d]", sm[1], i)
		})
	}
	for i := range fs {
		fs[i].Path, fs[i].Message, fs[i].Fix = fix(fs[i].Path), fix(fs[i].Message), fix(fs[i].Fix)
	}
	m.lint = fs
}

// lintErrors is how many findings block the grant.
func (m *permissionsModel) lintErrors() int {
	errs, _ := flows.LintCounts(m.lint)
	return errs
}

// lintBlocker is the summary line when lint errors stop ctrl+s.
func (m *permissionsModel) lintBlocker() string {
	n := m.lintErrors()
	if n == 0 {
		return ""
	}
	first := ""
	for _, f := range m.lint {
		if f.Severity == flows.LintError {
			first = pathOrTop(f.Path) + ": " + f.Message
			break
		}
	}
	return fmt.Sprintf("%s blocks the grant: %s", pePlural(n, "lint error", "lint errors"), first)
}

func pathOrTop(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

// lintCount is "1 error, 2 warnings" ("no hazards found" when clean).
func (m *permissionsModel) lintCount() string {
	errs, warns := flows.LintCounts(m.lint)
	switch {
	case errs == 0 && warns == 0 && m.blocking > 0:
		return "no hazards so far (the marked fields are not checked yet)"
	case errs == 0 && warns == 0:
		return "no hazards found"
	case errs == 0:
		return pePlural(warns, "warning", "warnings")
	case warns == 0:
		return pePlural(errs, "error", "errors")
	}
	return pePlural(errs, "error", "errors") + ", " + pePlural(warns, "warning", "warnings")
}

// lintTitle is the first line of the lint list.
func (m *permissionsModel) lintTitle() string {
	st := m.c.st
	errs, warns := flows.LintCounts(m.lint)
	switch {
	case errs > 0:
		return st.Title.Render("Lint") + " " + st.Error.Render("✗ "+m.lintCount())
	case warns > 0:
		return st.Title.Render("Lint") + " " + st.Warn.Render("⚠ "+m.lintCount())
	}
	return st.Title.Render("Lint") + " " + st.OK.Render("✓ "+m.lintCount())
}

// lintLines are the findings at width w, each whole: what, why and the fix.
func (m *permissionsModel) lintLines(w int) []string {
	st := m.c.st
	var out []string
	for _, f := range m.lint {
		mark, style := "⚠ ", st.Warn.Render
		if f.Severity == flows.LintError {
			mark, style = "✗ ", st.Error.Render
		}
		out = append(out, m.c.WrapText(style, mark+pathOrTop(f.Path)+": "+f.Message, w, "  ")...)
		out = append(out, m.c.WrapText(st.Subtle.Render, "  why: "+f.Why, w, "       ")...)
		out = append(out, m.c.WrapText(st.Subtle.Render, "  fix: "+f.Fix, w, "       ")...)
	}
	return out
}

// lintShort is the one-line count for the bottom of small terminals, where
// the list hides behind ctrl+p with the body.
func (m *permissionsModel) lintShort() string {
	errs, warns := flows.LintCounts(m.lint)
	if errs+warns == 0 {
		return ""
	}
	codes := make([]string, 0, len(m.lint))
	seen := map[string]bool{}
	for _, f := range m.lint {
		if !seen[f.Code] {
			seen[f.Code] = true
			codes = append(codes, f.Code)
		}
	}
	return "lint: " + m.lintCount() + " · ctrl+p reads them (" + strings.Join(codes, ", ") + ")"
}
