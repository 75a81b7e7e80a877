package policy

// Type is the value type of a key.
type Type string

// Value types. Bool values are Go bools, String and Enum values strings, StringList values
// []string, Int values ints (keys_mdm.go).
const (
	Bool       Type = "bool"
	String     Type = "string"
	StringList Type = "string_list"
	Enum       Type = "enum"
)

// Format is an additional syntax check on a String or StringList value.
type Format string

// Formats.
const (
	FormatNone        Format = ""
	FormatListURL     Format = "federation_list_url" // https://, http:// on loopback only, or file://
	FormatEd25519Keys Format = "ed25519_public_keys" // base64 of raw 32-byte Ed25519 public keys
	FormatServerNames Format = "server_names"        // Matrix server names (host[:port])
	FormatHomeserver  Format = "homeserver"          // a homeserver URL or a server name
)

// Key describes one policy key. The table Keys is the single source of truth: the loader, the
// admin tool, docs/ADMIN.md and (later) ADMX templates and other channels are derived from it.
type Key struct {
	Name   string
	Type   Type
	Values []string // allowed values of an Enum
	Format Format
	Min    int // bounds of an Int value (Max 0: no upper bound)
	Max    int
	// Default applies when no source sets the key; BOSDefault (when not nil) replaces it while
	// bos_mode is on.
	Default    any
	BOSDefault any
	DocDE      string // effect, German
	DocEN      string // effect, English
	Example    string // an example value as JSON
}

// Key names.
const (
	KeyBOSMode                   = "bos_mode"
	KeyFederationListURL         = "federation_list_url"
	KeyFederationListPublicKeys  = "federation_list_public_keys"
	KeyAllowedHomeservers        = "allowed_homeservers"
	KeyHomeserver                = "homeserver"
	KeyRequireEncryption         = "require_encryption"
	KeyExcludeInsecureDevices    = "exclude_insecure_devices"
	KeyRequireDeviceVerification = "require_device_verification"
	KeyInvitesFrom               = "invites_from"
	KeyRemoteWipe                = "remote_wipe"
)

// Values of invites_from.
const (
	InvitesFromVetted = "vetted"
	InvitesFromAny    = "any"
)

// Keys is the table of all policy keys, in the order they are shown.
var Keys = []Key{
	{
		Name: KeyBOSMode, Type: Bool, Default: false,
		DocDE: "Schaltet den BOS-Modus ein: nur Homeserver der signierten Föderationsliste, nur " +
			"verwaltete, verifizierte Geräte, und bei jedem Zweifel gesperrt (fail closed). Ändert die " +
			"Voreinstellungen der übrigen Schlüssel (Spalte BOS-Modus).",
		DocEN: "Turns BOS mode on: only homeservers of the signed federation list, only managed, verified " +
			"devices, and blocked whenever a rule cannot be proven (fail closed). Changes the defaults of " +
			"the other keys (column BOS mode).",
		Example: `true`,
	},
	{
		Name: KeyFederationListURL, Type: String, Format: FormatListURL, Default: "",
		DocDE: "Adresse der signierten Föderationsliste: https://, http:// nur auf Loopback, oder " +
			"file:// (absoluter Pfad). Wird beim Start und mindestens stündlich neu geladen. Im BOS-Modus " +
			"Pflicht; fehlt sie, ist der BOS-Modus gesperrt.",
		DocEN: "Where the signed federation list is fetched: https://, http:// on loopback only, or " +
			"file:// (absolute path). Loaded at start and at least hourly. Required in BOS mode; without " +
			"it BOS mode is blocked.",
		Example: `"https://bos-liste.example.de/federation.jws"`,
	},
	{
		Name: KeyFederationListPublicKeys, Type: StringList, Format: FormatEd25519Keys, Default: []string{},
		DocDE: "Gepinnte Ed25519-Schlüssel (base64 der 32 Roh-Bytes), mit denen die Liste signiert sein " +
			"muss; mehrere für einen Schlüsselwechsel. Im BOS-Modus Pflicht.",
		DocEN: "Pinned Ed25519 public keys (base64 of the raw 32 bytes) one of which must have signed the " +
			"list; more than one for key rotation. Required in BOS mode.",
		Example: `["3q0kT0bbd8yzq2bGg2D2pJ0m0aKXhA0Cw9mV1i1lQ0s="]`,
	},
	{
		Name: KeyAllowedHomeservers, Type: StringList, Format: FormatServerNames, Default: []string{},
		DocDE: "Servernamen, auf denen sich ein Konto anmelden darf. Leer: jeder (im BOS-Modus: die Server " +
			"der Föderationsliste). Im BOS-Modus muss der Server zusätzlich auf der Liste stehen.",
		DocEN: "Server names an account may sign in on. Empty: any (in BOS mode: the servers of the " +
			"federation list). In BOS mode the server must also be on the list.",
		Example: `["leitstelle.example.de", "feuerwehr.example.de"]`,
	},
	{
		Name: KeyHomeserver, Type: String, Format: FormatHomeserver, Default: "",
		DocDE: "Homeserver (URL oder Servername). Empfohlen: im Anmeldeformular vorbelegt (bosctl login " +
			"ohne --homeserver nimmt ihn). Verwaltet: Anmeldung nur auf diesem Server.",
		DocEN: "Homeserver (URL or server name). Recommended: pre-filled in the sign-in form (bosctl login " +
			"without --homeserver uses it). Managed: sign-in only on this server.",
		Example: `"leitstelle.example.de"`,
	},
	{
		Name: KeyRequireEncryption, Type: Bool, Default: false, BOSDefault: true,
		DocDE: "Keine unverschlüsselten Räume: sie können nicht angelegt werden, und in sie wird nicht " +
			"gesendet.",
		DocEN:   "No unencrypted rooms: they cannot be created, and nothing is sent into them.",
		Example: `true`,
	},
	{
		Name: KeyExcludeInsecureDevices, Type: Bool, Default: false, BOSDefault: true,
		DocDE:   "Raumschlüssel nur an Geräte, die ihr Besitzer per Cross-Signing bestätigt hat (MSC4153).",
		DocEN:   "Room keys only go to devices their owner has cross-signed (MSC4153).",
		Example: `true`,
	},
	{
		Name: KeyRequireDeviceVerification, Type: Bool, Default: false, BOSDefault: true,
		DocDE: "Ein neu angemeldetes Gerät kann erst senden und verschlüsselten Verlauf lesen, wenn es " +
			"verifiziert ist (mit einem anderen eigenen Gerät oder dem Wiederherstellungsschlüssel).",
		DocEN: "A new sign-in cannot send or read encrypted history until the device is verified (with " +
			"another own device or the recovery key).",
		Example: `true`,
	},
	{
		Name: KeyInvitesFrom, Type: Enum, Values: []string{InvitesFromVetted, InvitesFromAny},
		Default: InvitesFromAny, BOSDefault: InvitesFromVetted,
		DocDE: "vetted: Einladungen von Nutzern auf Servern außerhalb der Föderationsliste (oder in Räume " +
			"solcher Server) werden nie angezeigt und abgelehnt (nur im BOS-Modus wirksam). any: alle " +
			"Einladungen werden angezeigt.",
		DocEN: "vetted: invites from users on servers outside the federation list (or into rooms of such " +
			"servers) are never shown and are rejected (effective in BOS mode only). any: every invite " +
			"is shown.",
		Example: `"vetted"`,
	},
	{
		Name: KeyRemoteWipe, Type: Bool, Default: false, BOSDefault: true,
		DocDE: "Meldet der Server, dass das Gerät abgemeldet oder gelöscht wurde, werden alle lokalen " +
			"Daten des Kontos gelöscht (Speicher, Schlüssel, Medien-Cache).",
		DocEN: "When the server says the device was signed out or deleted, all local data of the " +
			"account is wiped (store, keys, media cache).",
		Example: `true`,
	},
}

// Lookup returns the key named name.
func Lookup(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}
