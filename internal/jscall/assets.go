package jscall

import (
	"embed"
	"io/fs"
	"sort"

	"bosmessenger/internal/nodeproc"
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
	return nodeproc.NamedHash(asset("package-lock.json"), webFiles(), asset)
}
