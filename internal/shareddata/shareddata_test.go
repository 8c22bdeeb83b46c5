package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindHonoursEnv(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "roads"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(Env, root)
	got, err := Find("roads")
	if err != nil || got != filepath.Join(root, "roads") {
		t.Fatalf("Find(roads) = %q, %v; want %q, nil", got, err, filepath.Join(root, "roads"))
	}
	if _, err := Find("absent"); err == nil {
		t.Fatal("Find(absent) = nil error; want an error")
	}
}
