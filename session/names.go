package session

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
	"maunium.net/go/mautrix/id"

	"bosmessenger/internal/termsafe"
	"bosmessenger/store"
)

// Display names are remote text that anyone can choose: a member may call themself "Leitstelle",
// use look-alike letters ("Leitste11e", Cyrillic "Lеitstelle"), or hide bidi overrides and
// invisible characters in the name. The engine therefore computes the name a GUI and bosctl show,
// following the spec's "calculating the display name for a user" and going beyond it the way
// matrix-js-sdk does:
//   - bidi controls, control characters and invisible characters are stripped, white space is
//     collapsed (CleanName);
//   - a name that is empty after that, or that contains something that looks like a Matrix ID
//     (also in look-alike letters), is replaced by the member's own Matrix ID;
//   - a member without a name shows the localpart of the ID;
//   - when two joined or invited members have names that look alike (the same skeleton as in
//     Unicode TR39, compared case-insensitively and without white space or invisible
//     characters), both are shown as "name (@user:server)".

// OrgLookup names the organisation that runs a homeserver (BOS mode: a signed list of vetted
// servers with an organisation per server). known is false for a server the list does not name;
// vetted tells that the server is on the vetted list.
type OrgLookup func(serverName string) (org string, vetted bool, known bool)

// SetOrgLookup sets (nil: clears) the organisation lookup that fills Organisation and Vetted of
// members and senders. Safe to call at any time; views computed later use it.
func (s *Session) SetOrgLookup(f OrgLookup) {
	if f == nil {
		s.orgs.Store(nil)
		return
	}
	s.orgs.Store(&f)
}

// orgOf looks up the organisation of a user's homeserver ("" without a lookup). unvetted is set
// when the lookup knows the list and the server is not on it (badge "unvetted server").
func orgOf(p *atomic.Pointer[OrgLookup], user string) (org string, vetted, unvetted bool) {
	f := p.Load()
	if f == nil {
		return "", false, false
	}
	_, server, err := id.UserID(user).Parse()
	if err != nil {
		return "", false, false
	}
	org, vetted, known := (*f)(server)
	if !known {
		return "", false, false
	}
	return org, vetted, !vetted
}

// CleanName strips from a name what must not reach a screen: control and bidi characters and
// invisible (format, filler, zero-width) characters; white space is collapsed to single spaces
// and trimmed. Zero-width joiners stay (emoji sequences need them).
func CleanName(name string) string {
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case hiddenRune(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hiddenRune reports whether r is stripped from names: control, bidi and invisible characters.
func hiddenRune(r rune) bool {
	switch {
	case termsafe.Unsafe(r):
		return true
	case r == 0x200c || r == 0x200d: // ZWNJ, ZWJ: needed by emoji and some scripts
		return false
	case (r >= 0x0600 && r <= 0x0605) || r == 0x06dd || r == 0x070f || r == 0x08e2 || r == 0x110bd || r == 0x110cd:
		return false // format characters that are visible (number signs)
	case unicode.Is(unicode.Cf, r): // soft hyphen, zero-width space, word joiner, BOM, tags, ...
		return true
	case r == 0x034f, r == 0x115f, r == 0x1160, r == 0x17b4, r == 0x17b5, r == 0x3164, r == 0xffa0, r == 0x2800,
		r >= 0x180b && r <= 0x180f, r >= 0xe0000 && r <= 0xe0fff:
		return true // default-ignorable fillers, Hangul fillers, braille blank, Mongolian selectors
	}
	return false
}

// nameInfo is what the name computations need of one raw name.
type nameInfo struct {
	clean  string // CleanName
	idLike bool   // contains something that reads as a Matrix ID
	key    string // nameKey of clean
}

// infoOf computes (or finds in the cache) the nameInfo of a raw name.
func infoOf(raw string) nameInfo {
	infoCache.Lock()
	info, ok := infoCache.m[raw]
	infoCache.Unlock()
	if ok {
		return info
	}
	info.clean = CleanName(raw)
	info.idLike = userIDLike.MatchString(info.clean) || userIDLike.MatchString(confusables.Skeleton(info.clean))
	info.key = nameKey(info.clean)
	infoCache.Lock()
	if len(infoCache.m) >= infoCacheMax {
		infoCache.m = map[string]nameInfo{} // names change rarely: start over rather than track use
	}
	infoCache.m[raw] = info
	infoCache.Unlock()
	return info
}

// infoCache holds computed nameInfos: every Timeline call needs those of all members.
var infoCache = struct {
	sync.Mutex
	m map[string]nameInfo
}{m: map[string]nameInfo{}}

const infoCacheMax = 50000

// nameKey is what two names that look alike have in common: the TR39 skeleton of the cleaned
// name without white space, joiners, variation selectors and accents, case-folded.
func nameKey(clean string) string {
	strip := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == 0x200c || r == 0x200d || (r >= 0xfe00 && r <= 0xfe0f) ||
				(r >= 0x0300 && r <= 0x036f) || hiddenRune(r) {
				return -1
			}
			return r
		}, s)
	}
	k := strip(norm.NFD.String(clean))
	k = confusables.Skeleton(k)
	k = confusables.Skeleton(strings.ToLower(k))
	return strip(k)
}

// userIDLike matches something that reads as a Matrix ID (also in look-alike letters: it is
// applied to skeletons too).
var userIDLike = regexp.MustCompile(`@[^\s:@]+:[^\s]+`)

// nameTable computes the shown names of a room's members.
type nameTable struct {
	byKey map[string][]string // name key -> joined or invited users with that key
	orgs  *atomic.Pointer[OrgLookup]
}

// newNameTable indexes the names of the joined and invited members.
func newNameTable(members []*store.Member, orgs *atomic.Pointer[OrgLookup]) *nameTable {
	t := &nameTable{byKey: map[string][]string{}, orgs: orgs}
	for _, m := range members {
		if m.Membership != "join" && m.Membership != "invite" {
			continue
		}
		if _, key, isID := baseName(m.UserID, m.Name); !isID {
			t.byKey[key] = append(t.byKey[key], m.UserID)
		}
	}
	return t
}

// baseName is a user's name before disambiguation with its nameKey; isID tells that it is the
// Matrix ID itself.
func baseName(user, raw string) (name, key string, isID bool) {
	if raw == "" {
		l := localpart(user)
		return l, infoOf(l).key, false
	}
	info := infoOf(raw)
	if info.key == "" || info.clean == user || info.idLike {
		// Nothing visible once cleaned (or only accents), or "@boss:server", or
		// "Leitstelle (@ls:server)": a spoofed ID.
		return user, "", true
	}
	return info.clean, info.key, false
}

// name is the name shown for user whose (remote, raw) display name is raw: cleaned, and followed
// by the Matrix ID when another joined or invited member's name looks alike.
func (t *nameTable) name(user, raw string) string {
	base, key, isID := baseName(user, raw)
	if isID {
		return base
	}
	for _, other := range t.byKey[key] {
		if other != user {
			return base + " (" + user + ")"
		}
	}
	return base
}

// org is the organisation badge of user ("" until BOS mode provides a lookup).
func (t *nameTable) org(user string) (org string, vetted, unvetted bool) {
	if t.orgs == nil {
		return "", false, false
	}
	return orgOf(t.orgs, user)
}

// ShownName is how a member is shown: the cleaned, disambiguated name and the organisation badge.
type ShownName struct {
	DisplayName  string
	Organisation string // "" until BOS mode sets an OrgLookup
	Vetted       bool
	Unvetted     bool // the lookup knows the list and the member's server is not on it
}

// ShownNames computes the shown name of every stored member of a room (any membership), as the
// member list and the timeline show them.
func (s *Session) ShownNames(ctx context.Context, roomID id.RoomID) (map[id.UserID]ShownName, error) {
	out := map[id.UserID]ShownName{}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		members, err := tx.Members(roomID.String(), "")
		if err != nil {
			return err
		}
		t := newNameTable(members, &s.orgs)
		for _, m := range members {
			n := ShownName{DisplayName: t.name(m.UserID, m.Name)}
			n.Organisation, n.Vetted, n.Unvetted = t.org(m.UserID)
			out[id.UserID(m.UserID)] = n
		}
		return nil
	})
	return out, err
}
