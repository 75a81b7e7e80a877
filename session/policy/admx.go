package policy

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Group Policy templates (ADMX and its ADML language files), generated from Keys so that the
// templates and the registry mapping (registry.go) can never disagree. Every key appears twice:
// as an enforced policy (category "BOS Messenger") and as a recommended one (category "BOS
// Messenger - Empfohlen / Recommended", registry subkey Recommended), as Chrome's templates do.
// deploy/windows/policy/ holds the generated files (UPDATE_TEMPLATES=1 go test ./session/policy).

// ADMXNamespace is the target namespace of the templates.
const ADMXNamespace = "BOSMessenger.Policies"

// ADMLLanguages are the shipped ADML languages.
var ADMLLanguages = []string{"de-DE", "en-US"}

const admxRegistryKey = `Software\Policies\BOSMessenger`

// admxPolicyName is the ADMX policy name of a key (recommended ones get a suffix).
func admxPolicyName(k Key, recommended bool) string {
	if recommended {
		return k.Name + "_recommended"
	}
	return k.Name
}

// ADMX renders BOSMessenger.admx.
func ADMX() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from session/policy/keys*.go; do not edit (UPDATE_TEMPLATES=1 go test -tags goolm ./session/policy). -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="bosmessenger" namespace="` + ADMXNamespace + `" />
    <using prefix="windows" namespace="Microsoft.Policies.Windows" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_BOSMessenger" displayName="$(string.SUPPORTED_BOSMessenger)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="BOSMessenger" displayName="$(string.BOSMessenger)" />
    <category name="BOSMessenger_recommended" displayName="$(string.BOSMessenger_recommended)" />
  </categories>
  <policies>
`)
	for _, rec := range []bool{false, true} {
		for _, k := range Keys {
			writeADMXPolicy(&b, k, rec)
		}
	}
	b.WriteString("  </policies>\n</policyDefinitions>\n")
	return b.Bytes()
}

func writeADMXPolicy(b *bytes.Buffer, k Key, rec bool) {
	name := admxPolicyName(k, rec)
	key, cat := admxRegistryKey, "BOSMessenger"
	if rec {
		key, cat = admxRegistryKey+`\`+RegistryRecommended, "BOSMessenger_recommended"
	}
	pres := ""
	if k.Type != Bool {
		pres = fmt.Sprintf(` presentation="$(presentation.%s)"`, k.Name)
	}
	fmt.Fprintf(b, `    <policy name="%s" class="Both" displayName="$(string.%s)" explainText="$(string.%s_Explain)" key="%s"%s`,
		name, k.Name, k.Name, key, pres)
	if k.Type == Bool {
		fmt.Fprintf(b, ` valueName="%s">
      <parentCategory ref="%s" />
      <supportedOn ref="SUPPORTED_BOSMessenger" />
      <enabledValue><decimal value="1" /></enabledValue>
      <disabledValue><decimal value="0" /></disabledValue>
    </policy>
`, k.Name, cat)
		return
	}
	fmt.Fprintf(b, `>
      <parentCategory ref="%s" />
      <supportedOn ref="SUPPORTED_BOSMessenger" />
      <elements>
`, cat)
	switch k.Type {
	case String:
		fmt.Fprintf(b, "        <text id=\"%s\" valueName=\"%s\" maxLength=\"4096\" />\n", k.Name, k.Name)
	case Int:
		maxV := k.Max
		if maxV == 0 {
			maxV = 2000000000
		}
		fmt.Fprintf(b, "        <decimal id=\"%s\" valueName=\"%s\" minValue=\"%d\" maxValue=\"%d\" />\n", k.Name, k.Name, k.Min, maxV)
	case Enum:
		fmt.Fprintf(b, "        <enum id=\"%s\" valueName=\"%s\" required=\"true\">\n", k.Name, k.Name)
		for _, v := range k.Values {
			fmt.Fprintf(b, "          <item displayName=\"$(string.%s_%s)\"><value><string>%s</string></value></item>\n", k.Name, v, xmlEscape(v))
		}
		b.WriteString("        </enum>\n")
	case JSON:
		fmt.Fprintf(b, "        <multiText id=\"%s\" valueName=\"%s\" />\n", k.Name, k.Name)
	case StringList:
		fmt.Fprintf(b, "        <list id=\"%s\" key=\"%s\\%s\" valuePrefix=\"\" />\n", k.Name, key, k.Name)
	}
	b.WriteString("      </elements>\n    </policy>\n")
}

// admlText are the fixed strings of each language.
var admlText = map[string]map[string]string{
	"de-DE": {
		"displayName":              "BOS Messenger",
		"description":              "Richtlinien für BOS Messenger (erzwungen und empfohlen).",
		"BOSMessenger":             "BOS Messenger",
		"BOSMessenger_recommended": "BOS Messenger - Empfohlen (der Nutzer darf ändern)",
		"SUPPORTED_BOSMessenger":   "BOS Messenger 0.1 und neuer",
		"default":                  "Standard",
		"bosdefault":               "im BOS-Modus",
	},
	"en-US": {
		"displayName":              "BOS Messenger",
		"description":              "Policies of BOS Messenger (enforced and recommended).",
		"BOSMessenger":             "BOS Messenger",
		"BOSMessenger_recommended": "BOS Messenger - Recommended (the user may change)",
		"SUPPORTED_BOSMessenger":   "BOS Messenger 0.1 and later",
		"default":                  "Default",
		"bosdefault":               "in BOS mode",
	},
}

// ADML renders the language file of lang (one of ADMLLanguages).
func ADML(lang string) []byte {
	t := admlText[lang]
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from session/policy/keys*.go; do not edit (UPDATE_TEMPLATES=1 go test -tags goolm ./session/policy). -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>%s</displayName>
  <description>%s</description>
  <resources>
    <stringTable>
`, xmlEscape(t["displayName"]), xmlEscape(t["description"]))
	str := func(id, text string) {
		fmt.Fprintf(&b, "      <string id=\"%s\">%s</string>\n", id, xmlEscape(text))
	}
	for _, id := range []string{"BOSMessenger", "BOSMessenger_recommended", "SUPPORTED_BOSMessenger"} {
		str(id, t[id])
	}
	for _, k := range Keys {
		str(k.Name, k.Name)
		doc := k.DocEN
		if lang == "de-DE" {
			doc = k.DocDE
		}
		doc += "\n\n" + t["default"] + ": " + jsonValue(k.Default)
		if k.BOSDefault != nil {
			doc += " (" + t["bosdefault"] + ": " + jsonValue(k.BOSDefault) + ")"
		}
		str(k.Name+"_Explain", doc)
		for _, v := range k.Values {
			str(k.Name+"_"+v, v)
		}
	}
	b.WriteString("    </stringTable>\n    <presentationTable>\n")
	for _, k := range Keys {
		if k.Type == Bool {
			continue
		}
		fmt.Fprintf(&b, "      <presentation id=\"%s\">\n        ", k.Name)
		switch k.Type {
		case String:
			fmt.Fprintf(&b, "<textBox refId=\"%s\"><label>%s</label></textBox>", k.Name, k.Name)
		case Int:
			fmt.Fprintf(&b, "<decimalTextBox refId=\"%s\" defaultValue=\"%v\">%s</decimalTextBox>", k.Name, k.Default, k.Name)
		case Enum:
			fmt.Fprintf(&b, "<dropdownList refId=\"%s\" noSort=\"true\">%s</dropdownList>", k.Name, k.Name)
		case JSON:
			fmt.Fprintf(&b, "<multiTextBox refId=\"%s\">%s</multiTextBox>", k.Name, k.Name)
		case StringList:
			fmt.Fprintf(&b, "<listBox refId=\"%s\">%s</listBox>", k.Name, k.Name)
		}
		b.WriteString("\n      </presentation>\n")
	}
	b.WriteString("    </presentationTable>\n  </resources>\n</policyDefinitionResources>\n")
	return b.Bytes()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
