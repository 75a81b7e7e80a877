package incident

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/alert"
)

// Limits of a template document.
const (
	MaxDocument  = 1 << 20 // bytes
	MaxTemplates = 200
	MaxInvitees  = 100
	MaxName      = 200  // display name, bytes
	MaxRoomName  = 255  // room name pattern and result, bytes
	MaxTopic     = 1000 // topic pattern, bytes
	MaxRequired  = 10000
	MaxDeadline  = 24 * time.Hour
)

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Parse reads a template document: {"templates": [TEMPLATE, …]} or a bare array of templates.
// source names the document in errors (a file path, "policy incident_templates"). Every error
// matches ErrInvalidTemplate and names the template and field.
func Parse(source string, data []byte) ([]Template, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidTemplate, source, fmt.Sprintf(format, args...))
	}
	if len(data) > MaxDocument {
		return nil, fail("larger than %d bytes", MaxDocument)
	}
	if !utf8.Valid(data) {
		return nil, fail("not UTF-8")
	}
	data = bytes.TrimSpace(data)
	var raws []json.RawMessage
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, fail("not a JSON array of templates: %v", err)
		}
	case len(data) > 0 && data[0] == '{':
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fail("not JSON: %v", err)
		}
		for k := range doc {
			if k != "templates" {
				return nil, fail("unknown field %q (expected \"templates\")", truncate(k, 40))
			}
		}
		list, ok := doc["templates"]
		if !ok {
			return nil, fail("no \"templates\" array")
		}
		if err := json.Unmarshal(list, &raws); err != nil {
			return nil, fail("templates: not an array of templates")
		}
	default:
		return nil, fail("expected {\"templates\": [...]} or an array of templates")
	}
	if len(raws) > MaxTemplates {
		return nil, fail("more than %d templates", MaxTemplates)
	}
	out := make([]Template, 0, len(raws))
	seen := map[string]int{}
	for i, raw := range raws {
		t, err := decodeTemplate(raw)
		where := fmt.Sprintf("template %q (#%d)", truncate(t.ID, 64), i+1)
		if t.ID == "" {
			where = fmt.Sprintf("template #%d", i+1)
		}
		if err == nil {
			err = t.validate()
		}
		if err != nil {
			return nil, fail("%s: %v", where, err)
		}
		if j, dup := seen[t.ID]; dup {
			return nil, fail("%s: id: %q is also the id of template #%d", where, t.ID, j)
		}
		seen[t.ID] = i + 1
		out = append(out, t)
	}
	return out, nil
}

// decodeTemplate decodes one template strictly (unknown fields are errors); the ID is filled
// in where it can be read, so that errors can name the template.
func decodeTemplate(raw json.RawMessage) (Template, error) {
	var t Template
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&t)
	if err == nil {
		return t, nil
	}
	var probe struct {
		ID any `json:"id"`
	}
	_ = json.Unmarshal(raw, &probe)
	t = Template{}
	if s, ok := probe.ID.(string); ok {
		t.ID = s
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return t, fmt.Errorf("%s: expected %s, got a JSON %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &typeErr):
		return t, fmt.Errorf("expected an object, got a JSON %s", typeErr.Value)
	}
	if name := unknownField(raw, reflect.TypeOf(t)); name != "" {
		return t, fmt.Errorf("unknown field %q", name)
	}
	return t, fmt.Errorf("not JSON: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64":
		return "a whole number"
	case "string":
		return "a string"
	case "bool", "ptr":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return goKind
}

func fieldErr(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

func checkString(field, v string, maxLen int) error {
	switch {
	case !utf8.ValidString(v):
		return fieldErr(field, "not UTF-8")
	case len(v) > maxLen:
		return fieldErr(field, "longer than %d bytes", maxLen)
	case strings.ContainsAny(v, "\x00"):
		return fieldErr(field, "contains a NUL character")
	}
	return nil
}

// ValidUserID reports whether s is a Matrix user ID (@localpart:server).
func ValidUserID(s string) bool {
	local, server, err := id.UserID(s).ParseAndValidateRelaxed()
	return err == nil && local != "" && server != "" && !strings.ContainsAny(s, " \t\r\n")
}

// validate checks a decoded template.
func (t *Template) validate() error {
	if t.ID == "" {
		return fieldErr("id", "missing")
	}
	if !idRE.MatchString(t.ID) {
		return fieldErr("id", "%q: use 1 to 64 letters, digits, '.', '_' or '-'", truncate(t.ID, 70))
	}
	for _, c := range []struct {
		field, v string
		max      int
		pattern  bool
	}{{"name", t.Name, MaxName, false}, {"room_name", t.RoomName, MaxRoomName, true}, {"topic", t.Topic, MaxTopic, true},
		{"alert.keyword", t.Alert.Keyword, alert.MaxKeyword, false}, {"alert.text", t.Alert.Text, alert.MaxText, true}} {
		if err := checkString(c.field, c.v, c.max); err != nil {
			return err
		}
		if c.pattern {
			if err := checkPattern(c.v); err != nil {
				return fieldErr(c.field, "%v", err)
			}
		}
	}
	if pl := t.PowerLevels; pl != nil {
		for u, lvl := range pl.Users {
			if !ValidUserID(u) {
				return fieldErr("power_levels.users", "%q is not a Matrix user ID (@name:server)", truncate(u, 80))
			}
			if lvl < 0 || lvl > 100 {
				return fieldErr("power_levels.users", "%s: level %d is not between 0 and 100", u, lvl)
			}
		}
		if pl.UsersDefault != nil && (*pl.UsersDefault < 0 || *pl.UsersDefault > 100) {
			return fieldErr("power_levels.users_default", "level %d is not between 0 and 100", *pl.UsersDefault)
		}
	}
	if len(t.Invitees) > MaxInvitees {
		return fieldErr("invitees", "more than %d", MaxInvitees)
	}
	seen := map[string]bool{}
	for _, u := range t.Invitees {
		if !ValidUserID(u) {
			return fieldErr("invitees", "%q is not a Matrix user ID (@name:server)", truncate(u, 80))
		}
		if seen[u] {
			return fieldErr("invitees", "%s is named twice", u)
		}
		seen[u] = true
	}
	a := t.Alert
	if len(a.Units) > alert.MaxUnits {
		return fieldErr("alert.units", "more than %d", alert.MaxUnits)
	}
	for _, u := range a.Units {
		if strings.TrimSpace(u) == "" {
			return fieldErr("alert.units", "an empty unit")
		}
		if err := checkString("alert.units", u, alert.MaxUnit); err != nil {
			return err
		}
	}
	if a.Deadline != "" {
		d, err := time.ParseDuration(a.Deadline)
		if err != nil || d <= 0 || d > MaxDeadline {
			return fieldErr("alert.deadline", "%q is not a duration between 1s and 24h such as \"10m\"", truncate(a.Deadline, 40))
		}
	}
	if a.Required < 0 || a.Required > MaxRequired {
		return fieldErr("alert.required", "%d is not between 0 and %d", a.Required, MaxRequired)
	}
	if a.Priority != "" && !alert.Priority(a.Priority).Valid() {
		return fieldErr("alert.priority", "%q: expected alarm or info", truncate(a.Priority, 40))
	}
	return nil
}

// unknownField names the first object key in raw that the struct type typ (and its nested
// structs) does not declare, or "" when there is none. encoding/json reports unknown fields
// only as text, so they are found here by the type's json tags.
func unknownField(raw json.RawMessage, typ reflect.Type) string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	for key, val := range obj {
		ft, ok := fields[key]
		if !ok {
			for name, t := range fields { // encoding/json matches names case-insensitively
				if strings.EqualFold(name, key) {
					ft, ok = t, true
					break
				}
			}
		}
		if !ok {
			return key
		}
		if inner := unknownField(val, ft); inner != "" {
			return inner
		}
	}
	return ""
}
