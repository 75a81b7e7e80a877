package jspeer

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
)

// js holds the Node side: the peer's ES modules and the pinned npm dependencies.
//
//go:embed js/*.mjs js/package.json js/package-lock.json
var js embed.FS

// entryScript is the module Node runs.
const entryScript = "peer.mjs"

func asset(name string) []byte {
	data, err := js.ReadFile("js/" + name)
	if err != nil {
		panic("jspeer: missing embedded asset " + name) // embedded at build time
	}
	return data
}

// scripts returns the names of the embedded ES modules, sorted.
func scripts() []string {
	names, err := fs.Glob(js, "js/*.mjs")
	if err != nil {
		panic("jspeer: bad embedded glob: " + err.Error())
	}
	for i, n := range names {
		names[i] = n[len("js/"):]
	}
	sort.Strings(names)
	return names
}

// scriptsHash is a short hash over the names and contents of all modules.
func scriptsHash() string {
	h := sha256.New()
	for _, n := range scripts() {
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
