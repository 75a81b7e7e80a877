package policy

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MarkdownTable renders the key table for docs/ADMIN.md (German and English side by side). The
// docs test keeps the file's copy equal to it.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Schlüssel / key | Typ / type | Standard / default | im BOS-Modus / in BOS mode | Wirkung | Effect | Beispiel / example |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, k := range Keys {
		typ := typeName(k)
		bos := "="
		if k.BOSDefault != nil {
			bos = "`" + jsonValue(k.BOSDefault) + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s | %s | `%s` |\n", k.Name, typ, jsonValue(k.Default), bos,
			k.DocDE, k.DocEN, strings.ReplaceAll(k.Example, "|", "\\|"))
	}
	return b.String()
}

func jsonValue(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
