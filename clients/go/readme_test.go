package tokend_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's example builds and runs as written.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("no go block in README.md")
	}
	main := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(main, m[1], 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "run", main).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "active: true scopes: [read] <nil>") {
		t.Fatalf("%v\n%s", err, out)
	}
}
