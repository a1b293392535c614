package theme

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestByName(t *testing.T) {
	for _, n := range append(Names, "", "PROJECTOR") {
		if _, err := ByName(n); err != nil {
			t.Errorf("ByName(%q): %v", n, err)
		}
	}
	if _, err := ByName("neon"); err == nil || !strings.Contains(err.Error(), "projector") {
		t.Errorf("ByName(neon) = %v, want an error listing the themes", err)
	}
}

func TestSelectNoColor(t *testing.T) {
	env := map[string]string{"NO_COLOR": "1"}
	th, err := Select("projector", func(k string) string { return env[k] })
	if err != nil || th.Name != "plain" {
		t.Fatalf("Select under NO_COLOR = %q, %v; want plain", th.Name, err)
	}
	th, _ = Select("projector", func(string) string { return "" })
	if th.Name != "projector" {
		t.Fatalf("Select = %q, want projector", th.Name)
	}
}

func TestPlainHasNoEscapes(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	st := Plain().Styles
	for _, s := range []lipgloss.Style{st.Title, st.Error, st.ErrorBanner, st.OK, st.Failed, st.Address, st.Header, st.Selected} {
		if out := s.Render("x"); strings.Contains(out, "\x1b[") {
			t.Errorf("plain style rendered escapes: %q", out)
		}
	}
}

func TestProjectorAddressesBoldNothingFaint(t *testing.T) {
	p := Projector()
	if !p.Styles.Address.GetBold() || !p.Styles.Hash.GetBold() {
		t.Error("projector addresses/hashes are not bold")
	}
	st := p.Styles
	for name, s := range map[string]lipgloss.Style{"Subtle": st.Subtle, "Help": st.Help, "Footer": st.Footer, "Placeholder": st.Placeholder} {
		if s.GetFaint() {
			t.Errorf("projector %s is faint", name)
		}
		if _, ok := s.GetForeground().(lipgloss.NoColor); !ok {
			t.Errorf("projector %s has a colour (%v); secondary text must be plain foreground", name, s.GetForeground())
		}
	}
}

// Colour literals stay in theme/: no lipgloss.Color( or AdaptiveColor{ in ui/.
func TestNoColourLiteralsInUI(t *testing.T) {
	files, _ := filepath.Glob("../ui/*.go")
	re := regexp.MustCompile(`lipgloss\.(Color|AdaptiveColor|CompleteColor|ANSIColor)\b`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loc := re.FindIndex(b); loc != nil {
			t.Errorf("%s: colour literal %q outside theme/", f, b[loc[0]:loc[1]])
		}
	}
}

// Without colour a placeholder still differs from typed text.
func TestPlainPlaceholderIsNotPlainText(t *testing.T) {
	st := Plain().Styles
	if !st.Placeholder.GetFaint() || !st.Placeholder.GetItalic() {
		t.Fatal("plain theme: placeholders look like typed values")
	}
	if st.Placeholder.GetForeground() != (lipgloss.NoColor{}) {
		t.Fatal("plain theme: placeholder has a colour")
	}
}
