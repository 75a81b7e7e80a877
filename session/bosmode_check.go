package session

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/policy"
	"bosmessenger/store"
)

// errPolicyUnavailable: the policy could not decide now (the room's members could not be loaded);
// the action may be retried. It does not match ErrPolicyDenied.
type errPolicyUnavailable struct{ err error }

func (e *errPolicyUnavailable) Error() string { return "policy cannot decide now: " + e.err.Error() }
func (e *errPolicyUnavailable) Unwrap() error { return e.err }

// Check implements Policy: in BOS mode a blocked state refuses everything, and every server an
// action touches must be on the federation list; require_encryption, allowed_homeservers and a
// locked homeserver apply in both modes.
func (e *Enforcer) Check(ctx context.Context, req PolicyRequest) error {
	bos := e.pol.BOSMode()
	if bos {
		e.ensureLoaded(ctx)
		if err := e.Blocked(); err != nil {
			return err
		}
	}
	switch req.Action {
	case ActionLogin:
		if err := e.checkLogin(req); err != nil {
			return err
		}
		if bos {
			return e.checkLoginURL(ctx, req.Homeserver, strings.ToLower(req.ServerName))
		}
	case ActionCreateRoom:
		if e.pol.RequireEncryption() && !req.Encrypted {
			return errors.New("require_encryption is set: unencrypted rooms cannot be created")
		}
	case ActionJoin:
		if bos {
			return e.checkRoomServer(req.RoomID)
		}
	case ActionInvite, ActionShareKeys:
		if bos {
			return e.checkUser(req.Target)
		}
	case ActionReceiveInvite:
		if bos && e.pol.InvitesFrom() == policy.InvitesFromVetted {
			if err := e.checkUser(req.Target); err != nil {
				return fmt.Errorf("invite from %s: %w", req.Target, err)
			}
			return e.checkRoomServer(req.RoomID)
		}
	case ActionSend:
		return e.checkSend(ctx, req)
	}
	return nil
}

func notListed(server string) error {
	return fmt.Errorf("server %s is not on the federation list", server)
}

// checkUser refuses a user whose server is not vetted.
func (e *Enforcer) checkUser(user string) error {
	_, server, err := id.UserID(user).Parse()
	if err != nil {
		return fmt.Errorf("invalid user ID %q", user)
	}
	if !e.vetted(server) {
		return fmt.Errorf("%s: %w", user, notListed(server))
	}
	return nil
}

// checkRoomServer refuses a room ID or alias whose server part is not vetted.
func (e *Enforcer) checkRoomServer(room string) error {
	server := ""
	if len(room) > 1 && (room[0] == '!' || room[0] == '#') {
		_, server, _ = strings.Cut(room[1:], ":")
	}
	if server == "" {
		return fmt.Errorf("room %s names no server; BOS mode cannot check it", room)
	}
	if !e.vetted(server) {
		return fmt.Errorf("room %s: %w", room, notListed(server))
	}
	return nil
}

// checkLogin runs before the password leaves the machine: the account's server must be allowed
// (allowed_homeservers, a locked homeserver) and, in BOS mode, on the federation list.
func (e *Enforcer) checkLogin(req PolicyRequest) error {
	server := strings.ToLower(req.ServerName)
	allowed := e.pol.AllowedHomeservers()
	hs, locked := e.pol.Homeserver()
	if server == "" && (e.pol.BOSMode() || len(allowed) > 0 || (locked && !isURL(hs))) {
		return fmt.Errorf("the server of %q cannot be checked before sign-in; sign in with the full Matrix ID (@name:server)", req.UserID)
	}
	if locked {
		if isURL(hs) {
			if strings.TrimRight(hs, "/") != strings.TrimRight(req.Homeserver, "/") {
				return fmt.Errorf("homeserver %s is not allowed; the policy locks sign-in to %s", req.Homeserver, hs)
			}
		} else if server != strings.ToLower(hs) {
			return fmt.Errorf("homeserver %s is not allowed; the policy locks sign-in to %s", server, hs)
		}
	}
	if len(allowed) > 0 && !slices.Contains(allowed, server) {
		return fmt.Errorf("homeserver %s is not in allowed_homeservers", server)
	}
	if e.pol.BOSMode() && !e.vetted(server) {
		return fmt.Errorf("homeserver %s: %w", server, notListed(server))
	}
	return nil
}

// checkBeforeDiscovery refuses, before any request, an account on a server that is not on the
// list (BOS mode) and a homeserver the policy's locked one rules out.
func (e *Enforcer) checkBeforeDiscovery(homeserver, user string) error {
	server := loginServerName(homeserver, user)
	if e.pol.BOSMode() && server != "" && !e.vetted(server) {
		return fmt.Errorf("homeserver %s: %w", server, notListed(server))
	}
	hs, locked := e.pol.Homeserver()
	if !locked {
		return nil
	}
	homeserver = strings.TrimSpace(homeserver)
	if isURL(homeserver) {
		if isURL(hs) && strings.TrimRight(homeserver, "/") != strings.TrimRight(hs, "/") {
			return fmt.Errorf("homeserver %s is not allowed; the policy locks sign-in to %s", homeserver, hs)
		}
		return nil
	}
	if server != "" && !isURL(hs) && server != strings.ToLower(hs) {
		return fmt.Errorf("homeserver %s is not allowed; the policy locks sign-in to %s", server, hs)
	}
	return nil
}

// checkLoginURL: the password goes to baseURL, so in BOS mode baseURL must be the homeserver of
// the vetted server name: on the same host, or named by the server's /.well-known/matrix/client.
// The admin's locked homeserver URL is trusted as it is.
func (e *Enforcer) checkLoginURL(ctx context.Context, baseURL, server string) error {
	baseURL = strings.TrimRight(baseURL, "/")
	if hs, locked := e.pol.Homeserver(); locked && isURL(hs) && strings.TrimRight(hs, "/") == baseURL {
		return nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("invalid homeserver URL %q", baseURL)
	}
	if strings.EqualFold(u.Hostname(), hostOf(server)) {
		return nil
	}
	schemes := []string{"https"}
	if policy.IsLoopback(server) {
		schemes = append(schemes, "http")
	}
	for _, scheme := range schemes {
		wk, err := fetchWellKnown(ctx, e.client, scheme+"://"+server)
		if err == nil && wk != "" && strings.TrimRight(wk, "/") == baseURL {
			return nil
		}
	}
	return fmt.Errorf("%s is not the homeserver of %s (another host, and not named by its .well-known); the password was not sent", baseURL, server)
}

// hostOf is the host of a server name without its port.
func hostOf(serverName string) string {
	if h, _, err := net.SplitHostPort(serverName); err == nil {
		return strings.Trim(h, "[]")
	}
	return strings.Trim(serverName, "[]")
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// checkSend refuses sending into an unencrypted room (require_encryption) and, in BOS mode, into
// a room with joined members on servers outside the list (naming them).
func (e *Enforcer) checkSend(ctx context.Context, req PolicyRequest) error {
	s := req.session
	if s == nil {
		return nil
	}
	roomID := id.RoomID(req.RoomID)
	if e.pol.RequireEncryption() {
		var encrypted bool
		err := s.db.Read(ctx, func(tx *store.Tx) error {
			r, ok, err := tx.Room(roomID.String())
			encrypted = ok && r.Encryption != ""
			return err
		})
		if err != nil {
			return &errPolicyUnavailable{err}
		}
		if !encrypted {
			return fmt.Errorf("require_encryption is set: %s is not encrypted; nothing was sent", roomID)
		}
	}
	if !e.pol.BOSMode() {
		return nil
	}
	members, err := s.joinedMembers(ctx, roomID, req.queued)
	if err != nil {
		return &errPolicyUnavailable{err}
	}
	var outside []string
	for _, m := range members {
		if _, server, err := m.Parse(); err != nil || !e.vetted(server) {
			outside = append(outside, m.String())
		}
	}
	if len(outside) > 0 {
		slices.Sort(outside)
		return fmt.Errorf("members on servers outside the federation list are in %s: %s; nothing was sent", roomID, strings.Join(outside, ", "))
	}
	return nil
}

// joinedMembers asks the server who is joined (the synced member list is lazy-loaded). If the
// server cannot be asked, the stored members are used unless sure is set.
func (s *Session) joinedMembers(ctx context.Context, roomID id.RoomID, sure bool) ([]id.UserID, error) {
	gen := s.joined.generation(roomID)
	reqCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	resp, err := s.cli.JoinedMembers(reqCtx, roomID)
	if err == nil {
		out := make([]id.UserID, 0, len(resp.Joined))
		for u := range resp.Joined {
			out = append(out, u)
		}
		slices.Sort(out)
		s.joined.put(roomID, gen, out, time.Now())
		return out, nil
	}
	if sure || errors.Is(err, ErrPolicyBlocked) {
		return nil, s.classify("load the joined members", err)
	}
	var out []id.UserID
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		ms, err := tx.Members(roomID.String(), "join")
		for _, m := range ms {
			out = append(out, id.UserID(m.UserID))
		}
		return err
	})
	return out, err
}

// checkAliasTarget: in BOS mode an alias is resolved before joining, and the room ID it names
// must be on a vetted server too.
func (s *Session) checkAliasTarget(ctx context.Context, roomIDOrAlias string) error {
	e := s.enforcer()
	if e == nil || !e.pol.BOSMode() || !strings.HasPrefix(roomIDOrAlias, "#") {
		return nil
	}
	resp, err := s.cli.ResolveAlias(ctx, id.RoomAlias(roomIDOrAlias))
	if err != nil {
		return s.classify("resolve "+roomIDOrAlias, err)
	}
	return s.checkPolicy(ctx, "join "+roomIDOrAlias, PolicyRequest{Action: ActionJoin, RoomID: resp.RoomID.String()})
}
