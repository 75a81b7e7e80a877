package jscall

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
)

// js holds the Node driver, the page and the pinned npm dependencies.
//
//go:embed js/*.mjs js/*.js js/*.html js/package.json js/package-lock.json
var js embed.FS

func asset(name string) []byte {
	data, err := js.ReadFile("js/" + name)
	if err != nil {
		panic("jscall: missing embedded asset " + name) // embedded at build time
	}
	return data
}

// webFiles returns the names of the embedded files that make up the web dir (all but the npm
// manifests), sorted.
func webFiles() []string {
	var names []string
	for _, pat := range []string{"js/*.mjs", "js/*.js", "js/*.html"} {
		m, err := fs.Glob(js, pat)
		if err != nil {
			panic("jscall: bad embedded glob: " + err.Error())
		}
		for _, n := range m {
			names = append(names, n[len("js/"):])
		}
	}
	sort.Strings(names)
	return names
}

// webHash is a short hash over the lock file and the names and contents of the web files.
func webHash() string {
	h := sha256.New()
	h.Write(asset("package-lock.json"))
	for _, n := range webFiles() {
		h.Write([]byte(n + "\x00"))
		h.Write(asset(n))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// shortHash is the first 16 hex digits of the SHA-256 of data.
func shortHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}
