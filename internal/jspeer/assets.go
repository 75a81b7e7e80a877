package jspeer

import (
	"embed"
	"io/fs"
	"sort"

	"bosmessenger/internal/nodeproc"
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
	return nodeproc.NamedHash(nil, scripts(), asset)
}
