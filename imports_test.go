package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportRule holds the layering of docs/architecture.md: ui → flows →
// apiclient, one way; theme is a leaf; only main wires apiclient/sandbox in.
// Test files may use the sandbox as a fixture, so only non-test files count.
func TestImportRule(t *testing.T) {
	const mod = "walletconsole/"
	forbidden := map[string][]string{ // package dir prefix → import prefixes it must not use
		"apiclient": {"flows", "ui", "theme"},
		"flows":     {"ui", "theme", "apiclient/sandbox"},
		"ui":        {"apiclient/sandbox"},
		"theme":     {"apiclient", "flows", "ui"},
	}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "." && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		top := strings.SplitN(dir, "/", 2)[0]
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, mod) {
				continue
			}
			p = strings.TrimPrefix(p, mod)
			for _, bad := range forbidden[top] {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					t.Errorf("%s imports %s%s: against the rule ui → flows → apiclient (only main wires apiclient/sandbox in)", path, mod, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: is the walk broken?", checked)
	}
}
