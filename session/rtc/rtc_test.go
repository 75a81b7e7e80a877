package rtc_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session/rtc"
)

// TestDiscoverFoci: only LiveKit foci with an http(s) service URL count, in order; none is
// ErrNoFocus.
func TestDiscoverFoci(t *testing.T) {
	body := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/matrix/client" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	body = `{"m.homeserver":{"base_url":"https://hs"},"org.matrix.msc4143.rtc_foci":[{"type":"nextgen"},
		{"type":"livekit","livekit_service_url":"javascript:x"},{"type":"livekit","livekit_service_url":"https://a"},
		{"type":"livekit","livekit_service_url":"https://b"}]}`
	foci, err := rtc.DiscoverFoci(context.Background(), srv.Client(), srv.URL)
	if err != nil || len(foci) != 2 || foci[0].ServiceURL != "https://a" || foci[1].ServiceURL != "https://b" {
		t.Fatalf("foci %+v, %v", foci, err)
	}
	body = `{"m.homeserver":{"base_url":"https://hs"}}`
	if _, err := rtc.DiscoverFoci(context.Background(), srv.Client(), srv.URL); !errors.Is(err, rtc.ErrNoFocus) {
		t.Fatalf("without foci: %v", err)
	}
}

// TestMemberRoundTrip: a membership we send parses back; empty content (left), expired ones,
// other applications and state keys of someone else do not count; the oldest member's focus wins.
func TestMemberRoundTrip(t *testing.T) {
	now := time.Now()
	user := id.UserID("@a:hs")
	c := rtc.NewMember("DEV", rtc.Focus{Type: "livekit", ServiceURL: "https://f"}, "!r:hs", now)
	raw, _ := json.Marshal(c)
	key := rtc.MemberStateKey(user, "DEV")
	if key != "_@a:hs_DEV" {
		t.Fatalf("state key %q", key)
	}
	m, ok := rtc.ParseMember(user, key, raw, 0, now)
	if !ok || m.DeviceID != "DEV" || m.Focus.ServiceURL != "https://f" || m.Focus.Alias != "!r:hs" || m.Identity() != "@a:hs:DEV" {
		t.Fatalf("parsed %+v %v", m, ok)
	}
	if _, ok := rtc.ParseMember(user, key, json.RawMessage(`{}`), 0, now); ok {
		t.Fatal("empty content counts as member")
	}
	if _, ok := rtc.ParseMember(user, key, raw, 0, now.Add(rtc.DefaultExpiry+time.Second)); ok {
		t.Fatal("expired membership counts")
	}
	if _, ok := rtc.ParseMember("@b:hs", key, raw, 0, now); ok {
		t.Fatal("someone else's state key counts")
	}
	other := c
	other.Application = "m.other"
	raw2, _ := json.Marshal(other)
	if _, ok := rtc.ParseMember(user, key, raw2, 0, now); ok {
		t.Fatal("foreign application counts")
	}
	older := rtc.Member{CreatedTS: 1, Focus: rtc.PreferredFocus{ServiceURL: "https://old"}}
	if f, ok := rtc.ActiveFocusOf([]rtc.Member{m, older}); !ok || f.ServiceURL != "https://old" {
		t.Fatalf("active focus %+v", f)
	}
}

// TestGetSFUConfig: the request carries room, device and OpenID token; a refusal is ErrSFURefused.
func TestGetSFUConfig(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req rtc.SFURequest
		if r.URL.Path != "/sfu/get" || json.NewDecoder(r.Body).Decode(&req) != nil || req.OpenIDToken.AccessToken != "tok" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"url":"ws://lk","jwt":"` + req.Room + "|" + req.DeviceID + `"}`))
	}))
	defer srv.Close()
	cfg, err := rtc.GetSFUConfig(context.Background(), srv.Client(), srv.URL, rtc.SFURequest{Room: "!r", DeviceID: "D",
		OpenIDToken: rtc.OpenIDToken{AccessToken: "tok"}})
	if err != nil || cfg.URL != "ws://lk" || cfg.JWT != "!r|D" {
		t.Fatalf("%+v %v", cfg, err)
	}
	if _, err := rtc.GetSFUConfig(context.Background(), srv.Client(), srv.URL, rtc.SFURequest{Room: "!r"}); !errors.Is(err, rtc.ErrSFURefused) {
		t.Fatalf("refused: %v", err)
	}
}
