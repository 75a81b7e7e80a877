package mobile

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"bosmessenger/session/policy"
)

// The MDM schemas, generated from policy.Keys (UPDATE_TEMPLATES=1 go test ./mobile rewrites the
// committed files):
//   - android/app_restrictions.xml (res/xml) with its strings in android/res/values{,-de}/
//     restrictions.xml: lists are strings joined by commas or new lines, enums are choices;
//   - ios/appconfig-specfile.xml: the AppConfig community specfile of the
//     com.apple.configuration.managed dictionary.

const generatedNote = "<!-- Generated from session/policy/keys*.go; do not edit (UPDATE_TEMPLATES=1 go test ./mobile). -->\n"

// AndroidRestrictions renders app_restrictions.xml.
func AndroidRestrictions() []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + generatedNote +
		"<restrictions xmlns:android=\"http://schemas.android.com/apk/res/android\">\n")
	for _, k := range policy.Keys {
		typ, def := "string", ""
		switch k.Type {
		case policy.Bool:
			typ, def = "bool", fmt.Sprint(k.Default)
		case policy.Int:
			typ, def = "integer", fmt.Sprint(k.Default)
		case policy.Enum:
			typ, def = "choice", fmt.Sprint(k.Default)
		case policy.String:
			def = fmt.Sprint(k.Default)
		}
		fmt.Fprintf(&b, "    <restriction\n        android:key=\"%s\"\n        android:title=\"@string/restriction_%s_title\"\n"+
			"        android:description=\"@string/restriction_%s_description\"\n        android:restrictionType=\"%s\"",
			k.Name, k.Name, k.Name, typ)
		if k.Type == policy.Enum {
			fmt.Fprintf(&b, "\n        android:entries=\"@array/restriction_%s_entries\"\n        android:entryValues=\"@array/restriction_%s_values\"", k.Name, k.Name)
		}
		if def != "" {
			fmt.Fprintf(&b, "\n        android:defaultValue=\"%s\"", xmlEscape(def))
		}
		b.WriteString(" />\n")
	}
	b.WriteString("</restrictions>\n")
	return b.Bytes()
}

// AndroidStrings renders the string resources of the restrictions (lang "en" or "de").
func AndroidStrings(lang string) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + generatedNote + "<resources>\n")
	for _, k := range policy.Keys {
		doc := k.DocEN
		if lang == "de" {
			doc = k.DocDE
		}
		if k.Type == policy.StringList {
			if lang == "de" {
				doc += " Mehrere Werte durch Komma oder Zeilenumbruch getrennt."
			} else {
				doc += " Several values separated by commas or new lines."
			}
		}
		fmt.Fprintf(&b, "    <string name=\"restriction_%s_title\" translatable=\"false\">%s</string>\n", k.Name, k.Name)
		fmt.Fprintf(&b, "    <string name=\"restriction_%s_description\">%s</string>\n", k.Name, androidEscape(doc))
		if k.Type == policy.Enum {
			for _, kind := range []string{"entries", "values"} {
				fmt.Fprintf(&b, "    <string-array name=\"restriction_%s_%s\" translatable=\"false\">\n", k.Name, kind)
				for _, v := range k.Values {
					fmt.Fprintf(&b, "        <item>%s</item>\n", xmlEscape(v))
				}
				b.WriteString("    </string-array>\n")
			}
		}
	}
	b.WriteString("</resources>\n")
	return b.Bytes()
}

// IOSSpecfile renders the AppConfig specfile.
func IOSSpecfile() []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + generatedNote +
		"<managedAppConfiguration xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"/standard/specfile.xsd\">\n" +
		"  <version>1</version>\n  <bundleId>" + policy.AppID + "</bundleId>\n  <dict>\n")
	for _, k := range policy.Keys {
		def := ""
		switch k.Type {
		case policy.Bool:
			fmt.Fprintf(&b, "    <boolean keyName=\"%s\">\n", k.Name)
			def = fmt.Sprint(k.Default)
		case policy.Int:
			fmt.Fprintf(&b, "    <integer keyName=\"%s\">\n      <constraint min=\"%d\"", k.Name, k.Min)
			if k.Max != 0 {
				fmt.Fprintf(&b, " max=\"%d\"", k.Max)
			}
			b.WriteString(" />\n")
			def = fmt.Sprint(k.Default)
		case policy.Enum:
			fmt.Fprintf(&b, "    <string keyName=\"%s\">\n      <constraint nullable=\"false\">\n        <values>\n", k.Name)
			for _, v := range k.Values {
				fmt.Fprintf(&b, "          <value>%s</value>\n", xmlEscape(v))
			}
			b.WriteString("        </values>\n      </constraint>\n")
			def = fmt.Sprint(k.Default)
		case policy.String, policy.JSON:
			fmt.Fprintf(&b, "    <string keyName=\"%s\">\n", k.Name)
			def = fmt.Sprint(k.Default)
		case policy.StringList:
			fmt.Fprintf(&b, "    <stringArray keyName=\"%s\">\n", k.Name)
		}
		if def != "" {
			fmt.Fprintf(&b, "      <defaultValue>\n        <value>%s</value>\n      </defaultValue>\n", xmlEscape(def))
		}
		fmt.Fprintf(&b, "    </%s>\n", iosElement(k.Type))
	}
	b.WriteString("  </dict>\n  <presentation defaultLocale=\"de-DE\">\n")
	for _, k := range policy.Keys {
		field := map[policy.Type]string{policy.Bool: "checkbox", policy.Int: "input", policy.String: "input",
			policy.Enum: "select", policy.StringList: "list", policy.JSON: "input"}[k.Type]
		fmt.Fprintf(&b, "    <field keyName=\"%s\" type=\"%s\">\n      <label>\n        <language value=\"de-DE\">%s</language>\n"+
			"        <language value=\"en-US\">%s</language>\n      </label>\n      <description>\n"+
			"        <language value=\"de-DE\">%s</language>\n        <language value=\"en-US\">%s</language>\n      </description>\n",
			k.Name, field, k.Name, k.Name, xmlEscape(k.DocDE), xmlEscape(k.DocEN))
		if k.Type == policy.Enum {
			b.WriteString("      <options>\n")
			for _, v := range k.Values {
				fmt.Fprintf(&b, "        <option>\n          <label>\n            <language value=\"de-DE\">%s</language>\n"+
					"            <language value=\"en-US\">%s</language>\n          </label>\n          <value>%s</value>\n        </option>\n",
					xmlEscape(v), xmlEscape(v), xmlEscape(v))
			}
			b.WriteString("      </options>\n")
		}
		b.WriteString("    </field>\n")
	}
	b.WriteString("  </presentation>\n</managedAppConfiguration>\n")
	return b.Bytes()
}

func iosElement(t policy.Type) string {
	switch t {
	case policy.Bool:
		return "boolean"
	case policy.Int:
		return "integer"
	case policy.StringList:
		return "stringArray"
	}
	return "string"
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// androidEscape escapes a string resource: XML, then Android's own apostrophe and quote rules.
func androidEscape(s string) string {
	s = xmlEscape(s)
	s = strings.NewReplacer("'", `\'`, "&#39;", `\'`, "&#34;", `\"`, "@", `\@`, "?", `\?`).Replace(s)
	return s
}
