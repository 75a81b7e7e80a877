package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Int is the type of whole-number keys (bounded by Key.Min and Key.Max).
const Int Type = "int"

// Key names of the managed-configuration keys (issue "MDM on every channel").
const (
	KeyNotificationContent  = "notification_content"
	KeyAppLock              = "app_lock"
	KeyIdleLockMinutes      = "idle_lock_minutes"
	KeyAppLockMaxAttempts   = "app_lock_max_attempts"
	KeyScreenshotProtection = "screenshot_protection"
	KeyDisableKeyExport     = "disable_key_export"
	KeyDisableFileSave      = "disable_file_save"
	KeyDisableChatExport    = "disable_chat_export"
	KeyDisableCalls         = "disable_calls"
	KeyDisableLocation      = "disable_location"
	KeyMaxUploadMB          = "max_upload_mb"
	KeyKeepMessagesDays     = "keep_messages_days"
	KeyLanguage             = "language"
	KeyTheme                = "theme"
	KeyAlertAckJitterS      = "alert_ack_jitter_s"
	KeyIncidentTemplates    = "incident_templates"
	KeyStripMediaMetadata   = "strip_media_metadata"
)

// Values of notification_content.
const (
	NotifyNone   = "none"   // nothing but "BOS Messenger" and that something arrived
	NotifySender = "sender" // room and sender, never the text
	NotifyFull   = "full"   // room, sender and the message text
)

// MaxUploadLimitMB is the largest max_upload_mb (the engine's own attachment limit).
const MaxUploadLimitMB = 100

func init() { Keys = append(Keys, mdmKeys...) }

var mdmKeys = []Key{
	{
		Name: KeyNotificationContent, Type: Enum, Values: []string{NotifyNone, NotifySender, NotifyFull},
		Default: NotifySender, BOSDefault: NotifyNone,
		DocDE: "Was eine Desktop- oder Sperrbildschirm-Benachrichtigung zeigen darf: none (nur dass etwas " +
			"eingegangen ist), sender (Raum und Absender), full (auch den Nachrichtentext).",
		DocEN: "What a desktop or lock-screen notification may show: none (only that something arrived), " +
			"sender (room and sender), full (the message text too).",
		Example: `"none"`,
	},
	{
		Name: KeyAppLock, Type: Bool, Default: false,
		DocDE: "Zum Öffnen ist eine PIN oder Passphrase nötig (nicht die des Speichers), beim Start und " +
			"nach idle_lock_minutes ohne Eingabe.",
		DocEN: "A PIN or passphrase (not the store's) is needed to open the app, at start and after " +
			"idle_lock_minutes without input.",
		Example: `true`,
	},
	{
		Name: KeyIdleLockMinutes, Type: Int, Min: 0, Max: 1440, Default: 5,
		DocDE:   "Minuten ohne Eingabe, nach denen die App-Sperre (app_lock) greift; 0: nur beim Start.",
		DocEN:   "Minutes without input after which the app lock (app_lock) closes; 0: only at start.",
		Example: `5`,
	},
	{
		Name: KeyAppLockMaxAttempts, Type: Int, Min: 0, Max: 100, Default: 0, BOSDefault: 10,
		DocDE: "Nach so vielen falschen Eingaben in Folge an der App-Sperre werden die Daten des Kontos auf " +
			"diesem Gerät gelöscht; 0: nie. Ab der dritten falschen Eingabe wächst die Wartezeit (30 s, " +
			"verdoppelt, höchstens 1 h).",
		DocEN: "After this many wrong entries in a row at the app lock the account's data on this device is " +
			"wiped; 0: never. From the third wrong entry on the wait grows (30 s, doubling, at most 1 h).",
		Example: `10`,
	},
	{
		Name: KeyScreenshotProtection, Type: Bool, Default: false,
		DocDE: "Windows: das Fenster wird von Bildschirmfotos und Aufzeichnungen ausgenommen " +
			"(SetWindowDisplayAffinity, WDA_EXCLUDEFROMCAPTURE). Unter Linux und macOS technisch nicht " +
			"möglich (wird als Warnung gemeldet).",
		DocEN: "Windows: the window is excluded from screenshots and recordings (SetWindowDisplayAffinity, " +
			"WDA_EXCLUDEFROMCAPTURE). Not possible on Linux and macOS (reported as a warning).",
		Example: `true`,
	},
	{
		Name: KeyDisableKeyExport, Type: Bool, Default: false,
		DocDE:   "Raumschlüssel können nicht exportiert werden (die Engine verweigert es).",
		DocEN:   "Room keys cannot be exported (the engine refuses).",
		Example: `true`,
	},
	{
		Name: KeyDisableFileSave, Type: Bool, Default: false,
		DocDE:   "Empfangene Dateien können nicht gespeichert werden (nur angezeigt).",
		DocEN:   "Received files cannot be saved (only shown).",
		Example: `true`,
	},
	{
		Name: KeyDisableChatExport, Type: Bool, Default: false,
		DocDE:   "Verläufe können nicht exportiert werden.",
		DocEN:   "Conversations cannot be exported.",
		Example: `true`,
	},
	{
		Name: KeyDisableCalls, Type: Bool, Default: false,
		DocDE:   "Keine Anrufe.",
		DocEN:   "No calls.",
		Example: `true`,
	},
	{
		Name: KeyDisableLocation, Type: Bool, Default: false,
		DocDE:   "Kein Teilen des Standorts: die App zeigt statt der Aktion ein Schloss, bosctl send-location wird abgelehnt. Empfangene Standorte bleiben sichtbar.",
		DocEN:   "No location sharing: the app shows a lock instead of the action, bosctl send-location is refused. Received locations still show.",
		Example: `true`,
	},
	{
		Name: KeyMaxUploadMB, Type: Int, Min: 1, Max: MaxUploadLimitMB, Default: MaxUploadLimitMB,
		DocDE:   "Größte Datei in MB, die gesendet werden darf; größere werden vor dem Lesen abgelehnt.",
		DocEN:   "The largest file in MB that may be sent; larger ones are refused before they are read.",
		Example: `25`,
	},
	{
		Name: KeyKeepMessagesDays, Type: Int, Min: 0, Max: 36500, Default: 0,
		DocDE: "Lokale Aufbewahrung: Nachrichten, die älter als so viele Tage sind, werden beim Start und " +
			"täglich aus dem Speicher dieses Geräts gelöscht (auf dem Server bleiben sie). 0: unbegrenzt.",
		DocEN: "Local retention: messages older than this many days are removed from this device's store " +
			"at start and daily (the server keeps them). 0: no limit.",
		Example: `30`,
	},
	{
		Name: KeyLanguage, Type: Enum, Values: []string{"de", "en"}, Default: "de",
		DocDE:   "Sprache der Oberfläche.",
		DocEN:   "Language of the user interface.",
		Example: `"de"`,
	},
	{
		Name: KeyTheme, Type: Enum, Values: []string{"light", "dark", "system"}, Default: "system",
		DocDE:   "Farbschema: hell, dunkel oder wie das System.",
		DocEN:   "Colour scheme: light, dark or as the system.",
		Example: `"dark"`,
	},
	{
		Name: KeyAlertAckJitterS, Type: Int, Min: 0, Max: 600, Default: 10,
		DocDE: "Alarmierung: Rückmeldungen werden zufällig über so viele Sekunden verteilt gesendet, damit " +
			"hunderte Antworten den Server nicht gleichzeitig treffen.",
		DocEN: "Alerting: responses are sent spread randomly over this many seconds, so that hundreds of " +
			"answers do not hit the server at once.",
		Example: `10`,
	},
	{
		Name: KeyIncidentTemplates, Type: JSON, Default: "",
		DocDE: "Alarmierung: Vorlagen für Einsatzräume („Neuer Einsatz“, bosctl incident), als JSON (Format in " +
			"docs/ADMIN.md, Abschnitt Einsatzvorlagen) oder als absoluter Pfad einer JSON-Datei. Verwaltet gehen sie " +
			"lokalen Vorlagen mit derselben id vor und sind als verwaltet markiert.",
		DocEN: "Alerting: templates for incident rooms (\"Neuer Einsatz\", bosctl incident), as JSON (format in " +
			"docs/ADMIN.md, section incident templates) or as the absolute path of a JSON file. Managed, they win " +
			"over local templates of the same id and are marked as managed.",
		Example: `[{"id": "brand", "name": "Brand", "room_name": "{date} {keyword}", "invitees": ["@wf:feuerwehr.example.de"]}]`,
	},
	{
		Name: KeyStripMediaMetadata, Type: Bool, Default: false, BOSDefault: true,
		DocDE: "Metadaten (EXIF mit GPS-Position, XMP, IPTC, Kommentare) werden vor dem Senden immer aus " +
			"JPEG-, PNG- und WebP-Bildern entfernt; HEIC/AVIF/TIFF werden dann abgelehnt. Die Nutzer können " +
			"es nicht abschalten. Ohne den Schlüssel ist das Entfernen voreingestellt, aber abschaltbar; im " +
			"BOS-Modus immer erzwungen.",
		DocEN: "Metadata (EXIF with the GPS position, XMP, IPTC, comments) is always removed from JPEG, PNG " +
			"and WebP images before they are sent; HEIC/AVIF/TIFF are then refused. Users cannot turn it off. " +
			"Without the key, removal is on by default but can be turned off; in BOS mode it is always enforced.",
		Example: `true`,
	},
}

// convertInt accepts whole numbers as JSON (float64, json.Number), registry DWORDs (uint32) and
// plists (int64, uint64) deliver them, within the key's bounds.
func convertInt(key Key, raw any) (any, error) {
	var n int64
	switch v := raw.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case int32:
		n = int64(v)
	case uint32:
		n = int64(v)
	case uint64:
		if v > math.MaxInt32 {
			return nil, fmt.Errorf("the number %d is out of range", v)
		}
		n = int64(v)
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxInt32 {
			return nil, fmt.Errorf("expected a whole number, got %v", v)
		}
		n = int64(v)
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return nil, fmt.Errorf("expected a whole number, got %s", truncate(v.String(), 40))
		}
		n = i
	default:
		return nil, fmt.Errorf("expected a whole number, got %s", describe(raw))
	}
	if n < int64(key.Min) || (key.Max != 0 && n > int64(key.Max)) {
		bound := fmt.Sprintf("at least %d", key.Min)
		if key.Max != 0 {
			bound = fmt.Sprintf("between %d and %d", key.Min, key.Max)
		}
		return nil, fmt.Errorf("expected a number %s, got %d", bound, n)
	}
	return int(n), nil
}

// Int is the value of an Int key (0 for other keys).
func (p *Policy) Int(name string) int { n, _ := p.settings[name].Value.(int); return n }

// NotificationContent is what a notification may show: NotifyNone, NotifySender or NotifyFull.
func (p *Policy) NotificationContent() string { return p.String(KeyNotificationContent) }

// MaxUploadBytes is the largest attachment that may be sent.
func (p *Policy) MaxUploadBytes() int64 { return int64(p.Int(KeyMaxUploadMB)) << 20 }

// KeepMessagesDays is the local retention in days (0: no limit).
func (p *Policy) KeepMessagesDays() int { return p.Int(KeyKeepMessagesDays) }

// typeName is a key's type as the docs and templates name it.
func typeName(k Key) string {
	if k.Type == Enum {
		return "enum: " + strings.Join(k.Values, " \\| ")
	}
	if k.Type == Int {
		if k.Max != 0 {
			return fmt.Sprintf("int %d–%d", k.Min, k.Max)
		}
		return fmt.Sprintf("int ≥ %d", k.Min)
	}
	return string(k.Type)
}
