package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/session/incident"
	"bosmessenger/session/policy"
)

// IncidentTemplatesFile is the local incident template file in the data dir (read if present;
// Config.IncidentTemplatesFile names another one).
const IncidentTemplatesFile = "incident-templates.json"

// LoadIncidentTemplates reads the incident templates of cfg without opening the account: the
// local file (Config.IncidentTemplatesFile, which must exist, else DATA_DIR/incident-templates.json
// if present) and the policy key incident_templates (JSON or the path of a JSON file), merged by
// incident.Merge: a managed policy's templates win over local ones of the same ID and are marked
// Managed. A broken document is an error matching incident.ErrInvalidTemplate.
func LoadIncidentTemplates(cfg Config) ([]incident.Template, error) {
	var local []incident.Template
	path, must := cfg.IncidentTemplatesFile, true
	if path == "" && cfg.DataDir != "" {
		path, must = filepath.Join(cfg.DataDir, IncidentTemplatesFile), false
	}
	if path != "" {
		data, err := readTemplateFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist) && !must:
		case err != nil:
			return nil, fmt.Errorf("failed to read incident templates %s: %w", path, err)
		default:
			if local, err = incident.Parse(path, data); err != nil {
				return nil, err
			}
			for i := range local {
				local[i].Source = path
			}
		}
	}
	var fromPolicy []incident.Template
	managed := false
	if e, ok := cfg.Policy.(*Enforcer); ok {
		set := e.Policy().Setting(policy.KeyIncidentTemplates)
		v, _ := set.Value.(string)
		managed = set.Enforced
		if v != "" {
			data, source := []byte(v), "policy "+policy.KeyIncidentTemplates
			if policy.IsJSONPath(v) {
				var err error
				if data, err = readTemplateFile(v); err != nil {
					return nil, fmt.Errorf("failed to read incident templates %s (policy %s): %w", v, policy.KeyIncidentTemplates, err)
				}
				source = v + " (policy " + policy.KeyIncidentTemplates + ")"
			}
			var err error
			if fromPolicy, err = incident.Parse(source, data); err != nil {
				return nil, err
			}
		}
	}
	return incident.Merge(fromPolicy, managed, local), nil
}

func readTemplateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, incident.MaxDocument+1))
	if err == nil && len(data) > incident.MaxDocument {
		err = fmt.Errorf("larger than %d bytes", incident.MaxDocument)
	}
	return data, err
}

// IncidentTemplates lists the incident templates this session can use (LoadIncidentTemplates).
func (s *Session) IncidentTemplates() ([]incident.Template, error) {
	return LoadIncidentTemplates(s.cfg)
}

// IncidentRequest starts an incident ("Neuer Einsatz").
type IncidentRequest struct {
	Template string // template ID
	Keyword  string // "" : the template's default keyword
	Address  string
	Text     string // "" : the template's alert text
}

// IncidentResult is a created incident room.
type IncidentResult struct {
	RoomID       id.RoomID  `json:"room_id"`
	AlertEventID id.EventID `json:"alert_event_id"`
	Name         string     `json:"name"`
	AlertTxnID   string     `json:"-"` // the alert in the send queue
}

// CreateIncident creates an incident room from a template: name and topic from its patterns,
// encryption, power levels (the creator keeps 100), the invitees (in BOS mode each must pass the
// vetting of invites, before anything is created), then sends the alert as the room's first
// message and waits until the server has it. An unknown template gives ErrUnknownTemplate. If the
// room exists but the alert is not sent when ctx ends, the result holds the room and the alert's
// transaction ID with the error; the alert stays queued.
func (s *Session) CreateIncident(ctx context.Context, req IncidentRequest) (IncidentResult, error) {
	templates, err := s.IncidentTemplates()
	if err != nil {
		return IncidentResult{}, err
	}
	t, ok := incident.Find(templates, req.Template)
	if !ok {
		known := make([]string, 0, len(templates))
		for _, t := range templates {
			known = append(known, t.ID)
		}
		list := "none is configured"
		if len(known) > 0 {
			list = "known: " + strings.Join(known, ", ")
		}
		return IncidentResult{}, fmt.Errorf("%w %q (%s)", ErrUnknownTemplate, req.Template, list)
	}
	plan, err := t.Plan(incident.Input{Keyword: req.Keyword, Address: req.Address, Text: req.Text}, time.Now())
	if err != nil {
		return IncidentResult{}, err
	}
	if err := s.checkDeviceGate(); err != nil {
		return IncidentResult{}, err
	}
	var invite []id.UserID
	for _, u := range plan.Invitees {
		if u != s.account.UserID { // a template shared by a team names its creator too
			invite = append(invite, u)
		}
	}
	opts := CreateRoomOptions{Name: plan.RoomName, Topic: plan.Topic, Encrypted: plan.Encrypted, Invite: invite,
		PowerLevels: s.incidentPowerLevels(plan.PowerLevels)}
	res := IncidentResult{Name: plan.RoomName}
	res.RoomID, err = s.CreateRoom(ctx, opts)
	if err != nil {
		if res.RoomID != "" {
			err = fmt.Errorf("incident room %s was created, but not synced: %w", res.RoomID, err)
		}
		return res, err
	}
	s.log.Info().Str("room_id", res.RoomID.String()).Str("template", t.ID).Int("invitees", len(invite)).Msg("Created incident room")
	if res.AlertTxnID, err = s.SendAlert(ctx, res.RoomID, plan.Alert); err != nil {
		return res, fmt.Errorf("incident room %s was created, but its alert could not be queued: %w", res.RoomID, err)
	}
	if res.AlertEventID, err = s.WaitSent(ctx, res.AlertTxnID); err != nil {
		return res, fmt.Errorf("incident room %s was created, but its alert is not sent yet: %w", res.RoomID, err)
	}
	return res, nil
}

// incidentPowerLevels is the power_level_content_override of a template's levels: the users
// named and the default level, and the creator at 100 so that it can still run the room.
func (s *Session) incidentPowerLevels(pl *incident.PowerLevels) *event.PowerLevelsEventContent {
	if pl == nil {
		return nil
	}
	out := &event.PowerLevelsEventContent{Users: map[id.UserID]int{}}
	for u, lvl := range pl.Users {
		out.Users[id.UserID(u)] = lvl
	}
	out.Users[s.account.UserID] = 100
	if pl.UsersDefault != nil {
		out.UsersDefault = *pl.UsersDefault
	}
	return out
}
