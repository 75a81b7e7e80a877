package main

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"
)

// args holds a parsed command line: flags may stand anywhere, before or after positionals.
type args struct {
	cmd    string
	pos    []string
	flags  map[string][]string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// boolFlags take no value.
var boolFlags = map[string]bool{"json": true, "once": true, "encrypted": true, "help": true, "plain": true, "yes": true, "incoming": true, "acknowledge": true, "force": true, "version": true, "full": true, "sync": true, "quick": true}

// commandBoolFlags take no value after that command only: call --answer is a switch, while poll
// create/vote --answer takes an answer.
var commandBoolFlags = map[string]map[string]bool{}

func parseArgs(argv []string) (*args, error) {
	a := &args{flags: map[string][]string{}}
	onlyPos := false
	for i := 0; i < len(argv); i++ {
		s := argv[i]
		if onlyPos || !strings.HasPrefix(s, "-") || s == "-" || negativeNumber.MatchString(s) {
			if a.cmd == "" {
				a.cmd = s
			} else {
				a.pos = append(a.pos, s)
			}
			continue
		}
		if s == "--" {
			onlyPos = true
			continue
		}
		name := strings.TrimLeft(s, "-")
		value, hasValue := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, value, hasValue = k, v, true
		}
		if name == "h" {
			name = "help"
		}
		if boolFlags[name] || commandBoolFlags[a.cmd][name] {
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 >= len(argv) {
				return nil, usageError{fmt.Sprintf("flag --%s needs a value", name)}
			}
			i++
			value = argv[i]
		}
		a.flags[name] = append(a.flags[name], value)
	}
	return a, nil
}

// negativeNumber is a positional like -33.9 (a coordinate), not a flag: no flag starts with a digit.
var negativeNumber = regexp.MustCompile(`^-[0-9][0-9.]*$`)

// eventID returns the event ID flag name ("" when not given), checking that it looks like one.
func (a *args) eventID(name string) (id.EventID, error) {
	v := a.str(name)
	if v != "" && (!strings.HasPrefix(v, "$") || len(v) < 2) {
		return "", usageError{fmt.Sprintf("--%s wants an event ID ($…), not %q", name, v)}
	}
	return id.EventID(v), nil
}

func (a *args) str(name string) string {
	v := a.flags[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (a *args) list(name string) []string {
	return a.flags[name]
}

func (a *args) bool(name string) bool {
	v := a.str(name)
	b, _ := strconv.ParseBool(v)
	return b
}

func (a *args) int(name string, def int) (int, error) {
	v := a.str(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, usageError{fmt.Sprintf("--%s wants a whole number, not %q", name, v)}
	}
	return n, nil
}

func (a *args) duration(name string, def time.Duration) (time.Duration, error) {
	v := a.str(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageError{fmt.Sprintf("--%s wants a duration like 30s or 2m, not %q", name, v)}
	}
	return d, nil
}

// positional returns exactly n positionals or a usage error.
func (a *args) positional(n int) ([]string, error) {
	if len(a.pos) != n {
		return nil, usageError{fmt.Sprintf("usage: bosctl %s", commands[a.cmd].usage)}
	}
	return a.pos, nil
}

// flagNameRe finds the flags a command's usage line names.
var flagNameRe = regexp.MustCompile(`--([a-z][a-z-]*)`)

// unknownFlag rejects flags the command's usage does not name, before the command runs: a typo must
// not pass silently, nor be reported only after the command had its effect.
func (a *args) unknownFlag(usage string) error {
	known := map[string]bool{"data": true, "help": true}
	for _, m := range flagNameRe.FindAllStringSubmatch(usage, -1) {
		known[m[1]] = true
	}
	names := make([]string, 0, len(a.flags))
	for name := range a.flags {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !known[name] {
			return usageError{fmt.Sprintf("unknown flag --%s for %s", name, a.cmd)}
		}
	}
	return nil
}
