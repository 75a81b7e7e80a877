// Command policydump prints the effective policy as bosctl policy --json prints its keys. It is
// pure Go (no cgo), so the wine test can cross-build it in seconds when no bosctl.exe is given.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"bosmessenger/session/policy"
)

type row struct {
	Key      string `json:"key"`
	Value    any    `json:"value"`
	Source   string `json:"source"`
	Enforced bool   `json:"enforced"`
}

func main() {
	p, err := policy.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "policydump: "+err.Error())
		os.Exit(1)
	}
	rows := []row{}
	for _, s := range p.Settings() {
		rows = append(rows, row{s.Key, s.Value, s.Source, s.Enforced})
	}
	if err := json.NewEncoder(os.Stdout).Encode(rows); err != nil {
		os.Exit(1)
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(os.Stderr, "policydump: warning: "+w)
	}
}
