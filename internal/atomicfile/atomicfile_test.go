package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileReplaces(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	for _, want := range []string{"first", "second, longer", ""} {
		if err := WriteFile(name, []byte(want)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Fatalf("after WriteFile(%q) the file holds %q, %v", want, got, err)
		}
		if _, err := os.Stat(name + ".tmp"); !os.IsNotExist(err) {
			t.Fatalf("temporary file left behind: %v", err)
		}
	}
}

func TestWriteFileOverwritesLeftoverTemp(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name+".tmp", []byte("half-written garbage from a crash"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(name); string(got) != "ok" {
		t.Fatalf("file holds %q", got)
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "missing", "f"), []byte("x")); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
	// The target is a directory: the rename fails, the old target stays
	// and the temporary file is cleaned up.
	target := filepath.Join(dir, "d")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, []byte("x")); err == nil {
		t.Error("WriteFile over a non-empty directory succeeded")
	}
	if _, err := os.Stat(target + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind after a failed rename: %v", err)
	}
	if err := SyncDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("SyncDir of a missing directory succeeded")
	}
}
