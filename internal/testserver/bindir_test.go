package testserver

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCacheDirAndModuleRoot(t *testing.T) {
	t.Setenv("BOS_TEST_CACHE", "/x/cache")
	if d, err := binCacheDir(); err != nil || d != "/x/cache/dendrite-"+DendriteVersion+"/bin" {
		t.Fatalf("BOS_TEST_CACHE: %q %v", d, err)
	}
	t.Setenv("BOS_TEST_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/x/xdg")
	if d, err := binCacheDir(); err != nil || d != "/x/xdg/bosmessenger-test/dendrite-"+DendriteVersion+"/bin" {
		t.Fatalf("XDG_CACHE_HOME: %q %v", d, err)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "scripts", "install-dendrite.sh")); err != nil {
		t.Fatalf("module root %s has no install script: %v", root, err)
	}
	if m := missingBinary(t.TempDir()); m != "dendrite" {
		t.Fatalf("missingBinary of an empty dir: %q", m)
	}
}
