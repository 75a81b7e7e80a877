package session

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// Locations (m.location with the MSC3488 keys, as Element sends and shows them): a point with an
// optional accuracy and description, either our own position (asset m.self) or a chosen point
// (m.pin). The policy key disable_location turns sending off.

// Asset types of a location (MSC3488 org.matrix.msc3488.asset.type).
const (
	AssetSelf = "m.self" // the sender's own position
	AssetPin  = "m.pin"  // a point the sender chose
)

// Location is a shared position.
type Location struct {
	Lat         float64 `json:"lat"`
	Lon         float64 `json:"lon"`
	Accuracy    float64 `json:"accuracy,omitempty"` // metres; 0: unknown
	Description string  `json:"description,omitempty"`
	Asset       string  `json:"asset,omitempty"` // AssetSelf or AssetPin
	GeoURI      string  `json:"geo_uri"`
	TS          int64   `json:"ts,omitempty"`
}

// Validate checks the coordinates (latitude -90..90, longitude -180..180, accuracy not negative).
func (l Location) Validate() error {
	switch {
	case math.IsNaN(l.Lat) || l.Lat < -90 || l.Lat > 90:
		return fmt.Errorf("%w: latitude %v is not between -90 and 90", ErrInvalidLocation, l.Lat)
	case math.IsNaN(l.Lon) || l.Lon < -180 || l.Lon > 180:
		return fmt.Errorf("%w: longitude %v is not between -180 and 180", ErrInvalidLocation, l.Lon)
	case math.IsNaN(l.Accuracy) || l.Accuracy < 0 || math.IsInf(l.Accuracy, 0):
		return fmt.Errorf("%w: accuracy %v is not a distance in metres", ErrInvalidLocation, l.Accuracy)
	}
	return nil
}

// coord formats a coordinate with at most 6 decimals (about 0.1 m).
func coord(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}

// URI is the location's geo: URI (RFC 5870): geo:LAT,LON, with ;u=ACCURACY when known.
func (l Location) URI() string {
	u := "geo:" + coord(l.Lat) + "," + coord(l.Lon)
	if l.Accuracy > 0 {
		u += ";u=" + strconv.FormatFloat(math.Round(l.Accuracy*10)/10, 'f', -1, 64)
	}
	return u
}

// MapURL opens the location on openstreetmap.org.
func (l Location) MapURL() string {
	lat, lon := coord(l.Lat), coord(l.Lon)
	return "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=16/" + lat + "/" + lon
}

var geoURIPattern = regexp.MustCompile(`^geo:(-?[0-9]+(?:\.[0-9]+)?),(-?[0-9]+(?:\.[0-9]+)?)(?:,-?[0-9]+(?:\.[0-9]+)?)?((?:;[^;]*)*)$`)

// ParseGeoURI reads a geo: URI (RFC 5870; the accuracy from ;u=, other parameters ignored).
func ParseGeoURI(s string) (Location, error) {
	m := geoURIPattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return Location{}, fmt.Errorf("%w: %q is not a geo: URI", ErrInvalidLocation, s)
	}
	l := Location{}
	l.Lat, _ = strconv.ParseFloat(m[1], 64)
	l.Lon, _ = strconv.ParseFloat(m[2], 64)
	for _, p := range strings.Split(m[3], ";") {
		if v, ok := strings.CutPrefix(p, "u="); ok {
			acc, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return Location{}, fmt.Errorf("%w: accuracy %q in %q", ErrInvalidLocation, v, s)
			}
			l.Accuracy = acc
		}
	}
	if err := l.Validate(); err != nil {
		return Location{}, err
	}
	l.GeoURI = l.URI()
	return l, nil
}

var (
	pairPattern = regexp.MustCompile(`^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*[,;\s]\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)
	// German decimal commas: "52,52; 13,405" or "52,52 13,405".
	commaPairPattern = regexp.MustCompile(`^\s*(-?[0-9]+(?:,[0-9]+)?)\s*[;\s]\s*(-?[0-9]+(?:,[0-9]+)?)\s*$`)
	mapPathPattern   = regexp.MustCompile(`(?:#map=[0-9]+/|/@)(-?[0-9.]+)[/,](-?[0-9.]+)`)
)

// ParseLocationInput reads a position as people paste it: "LAT, LON" (decimal degrees, also
// "52.52 13.405"), a geo: URI, or a map link (openstreetmap.org with mlat/mlon or #map=Z/LAT/LON,
// Google Maps with /@LAT,LON or ?q=LAT,LON).
func ParseLocationInput(s string) (Location, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(strings.ToLower(s), "geo:") {
		return ParseGeoURI(s)
	}
	if m := pairPattern.FindStringSubmatch(s); m != nil {
		return locationFrom(m[1], m[2], s)
	}
	if m := commaPairPattern.FindStringSubmatch(s); m != nil {
		return locationFrom(strings.ReplaceAll(m[1], ",", "."), strings.ReplaceAll(m[2], ",", "."), s)
	}
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		q := u.Query()
		if lat, lon := q.Get("mlat"), q.Get("mlon"); lat != "" && lon != "" {
			return locationFrom(lat, lon, s)
		}
		for _, k := range []string{"q", "query", "ll"} {
			if m := pairPattern.FindStringSubmatch(q.Get(k)); m != nil {
				return locationFrom(m[1], m[2], s)
			}
		}
		if m := mapPathPattern.FindStringSubmatch(u.Path + "#" + u.Fragment); m != nil {
			return locationFrom(m[1], m[2], s)
		}
	}
	return Location{}, fmt.Errorf("%w: %q is neither coordinates, a geo: URI nor a map link", ErrInvalidLocation, s)
}

func locationFrom(lat, lon, input string) (Location, error) {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	if err1 != nil || err2 != nil {
		return Location{}, fmt.Errorf("%w: no coordinates in %q", ErrInvalidLocation, input)
	}
	l := Location{Lat: la, Lon: lo}
	if err := l.Validate(); err != nil {
		return Location{}, err
	}
	l.GeoURI = l.URI()
	return l, nil
}

// locationContent is an m.location message with the MSC3488 keys of extensible events.
type locationContent struct {
	*event.MessageEventContent
	Location msc3488Location `json:"org.matrix.msc3488.location"`
	Asset    msc3488Asset    `json:"org.matrix.msc3488.asset"`
	TS       int64           `json:"org.matrix.msc3488.ts"`
	Text     string          `json:"org.matrix.msc1767.text"`
}

type msc3488Location struct {
	URI         string `json:"uri"`
	Description string `json:"description,omitempty"`
}

type msc3488Asset struct {
	Type string `json:"type"`
}

// maxLocationDescription bounds a location's description (runes).
const maxLocationDescription = 500

// CheckLocation says whether locations may be sent (policy disable_location).
func (s *Session) CheckLocation() error {
	if s.cfg.DisableLocation {
		return ErrLocationDisabled
	}
	return nil
}

// SendLocation queues a location (m.location, MSC3488) and returns its transaction ID. The body
// ("DESCRIPTION geo:LAT,LON" and an openstreetmap.org link) is the fallback for clients without
// location support.
func (s *Session) SendLocation(ctx context.Context, roomID id.RoomID, l Location) (string, error) {
	if err := s.CheckLocation(); err != nil {
		return "", err
	}
	if err := l.Validate(); err != nil {
		return "", err
	}
	if l.Asset != AssetSelf {
		l.Asset = AssetPin
	}
	l.Description = strings.TrimSpace(CleanName(l.Description))
	if r := []rune(l.Description); len(r) > maxLocationDescription {
		l.Description = string(r[:maxLocationDescription])
	}
	geo := l.URI()
	text := "Location " + geo
	if l.Description != "" {
		text = l.Description + " " + geo
	}
	c := &locationContent{
		MessageEventContent: &event.MessageEventContent{MsgType: event.MsgLocation, Body: text + "\n" + l.MapURL(),
			GeoURI: geo, Mentions: &event.Mentions{}},
		Location: msc3488Location{URI: geo, Description: l.Description},
		Asset:    msc3488Asset{Type: l.Asset},
		TS:       time.Now().UnixMilli(),
		Text:     text,
	}
	return s.Enqueue(ctx, roomID, "m.room.message", c)
}

// locationOf reads a received location: the MSC3488 location where present, else geo_uri; nil
// when neither is a valid geo: URI.
func locationOf(c *msgContent, ts int64) *Location {
	uri := c.GeoURI
	desc := ""
	if c.Location != nil && c.Location.URI != "" {
		uri, desc = c.Location.URI, c.Location.Description
	}
	l, err := ParseGeoURI(uri)
	if err != nil {
		return nil
	}
	l.Description, l.TS, l.Asset = desc, ts, AssetPin
	if c.Asset != nil && c.Asset.Type == AssetSelf {
		l.Asset = AssetSelf
	}
	return &l
}
