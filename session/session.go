package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"
	"github.com/rs/zerolog"
	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/id"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
	"bosmessenger/store/seal"
	"bosmessenger/store/storekey"
)

// Config selects and unlocks an account's data dir.
type Config struct {
	DataDir    string
	Passphrase string // store passphrase; "" uses BOSMESSENGER_PASSPHRASE, then the OS keyring
	Keyring    storekey.Keyring
	Policy     Policy         // nil allows everything
	Log        zerolog.Logger // never gets message content, keys or tokens
	HTTPClient *http.Client
	DeviceName string           // initial device display name at login
	KeyParams  *storekey.Params // Argon2id parameters for a new passphrase-wrapped store key (nil: defaults)

	// ExcludeInsecureDevices shares room keys only with cross-signed devices (MSC4153).
	ExcludeInsecureDevices bool

	// RequireDeviceVerification (managed devices): until this device is verified, by SAS or QR
	// code with another device of ours or with the recovery key, it sends nothing
	// (ErrDeviceNotVerified), decrypts nothing (events show as locked, "device not verified")
	// and answers no room key requests. See DeviceVerified and ChangeDeviceVerified.
	RequireDeviceVerification bool

	// RemoteWipe: when the server says this device is gone (M_UNKNOWN_TOKEN without
	// soft_logout), the sync deletes the account's local data and fails with ErrRemoteWiped.
	RemoteWipe bool

	// Managed settings from the policy (ApplyPolicy; see managed.go): the largest attachment
	// (0: MaxFileSize), local retention in days (0: none), key export and file saving refused,
	// what notifications may show ("": NotifySender).
	MaxUploadBytes      int64
	KeepMessagesDays    int
	DisableKeyExport    bool
	DisableFileSave     bool
	DisableLocation     bool // policy disable_location: SendLocation refuses
	NotificationContent NotificationContent
	DisableChatExport   bool // the incident export is refused (ErrChatExportDisabled)
	DisableCalls        bool // policy disable_calls: no calls (ErrCallsDisabled), invites ignored
	// CallInviteLifetime is how long our call invites ring (0: 60 s, as Element).
	CallInviteLifetime time.Duration

	// Backoff bounds of the sync loop and send queue (defaults 1 s and 30 s).
	MinBackoff, MaxBackoff time.Duration

	// AlertAckJitter is the window of the random delay before a received alert is acknowledged
	// (de.bos.alert.ack), policy key alert_ack_jitter_s: 0 means the default of 10 s, a negative
	// value no delay.
	AlertAckJitter time.Duration

	// IncidentTemplatesFile names the local incident template file ("" : DATA_DIR/
	// incident-templates.json, if present); see LoadIncidentTemplates.
	IncidentTemplatesFile string
	// KeepMediaMetadata is the user's setting to send images with their metadata (EXIF with GPS,
	// XMP); ignored where the policy enforces removal. See MediaMetadataStripping.
	KeepMediaMetadata bool
}

func (c *Config) defaults() {
	if c.Policy == nil {
		c.Policy = AllowAll{}
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 3 * time.Minute}
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.AlertAckJitter == 0 {
		c.AlertAckJitter = DefaultAlertAckJitter
	}
	if c.DeviceName == "" {
		c.DeviceName = "BOS Messenger"
	}
	guardHTTP(c)
}

// keyOptions says how the store key is protected: the configured passphrase, else
// BOSMESSENGER_PASSPHRASE, else the OS keyring.
func (c *Config) keyOptions() storekey.Options {
	opts := storekey.Options{Passphrase: c.Passphrase, Keyring: c.Keyring, Argon2: c.KeyParams}
	if opts.Passphrase == "" {
		opts.Passphrase, _ = storekey.PassphraseFromEnv()
	}
	opts.UseKeyring = opts.Passphrase == ""
	return opts
}

// Account identifies the signed-in user and device.
type Account struct {
	Homeserver string
	UserID     id.UserID
	DeviceID   id.DeviceID
}

// Session is one signed-in account with its open store. Its methods are safe for concurrent use.
type Session struct {
	cfg     Config
	dir     string
	lock    *flock.Flock
	db      *store.DB
	sealer  *seal.Sealer
	e2ee    *e2ee.Machine
	cli     *mautrix.Client
	account Account
	log     zerolog.Logger
	bus     *bus

	keyReqs keyRequests // room keys asked from our other devices
	gate    deviceGate  // this device's verification (Config.RequireDeviceVerification)

	orgs     atomic.Pointer[OrgLookup] // organisation per homeserver (BOS mode), see SetOrgLookup
	roomList roomListCache             // what Rooms keeps between refreshes (roomlistcache.go)

	calls callsState // 1:1 calls (calls.go)

	groupCalls groupCallsState // MatrixRTC group calls (groupcalls.go)

	bosMu          sync.Mutex
	pendingRejects []id.RoomID // invites refused by policy whose rejection failed (retried)
	discardPending []string    // servers that left the federation list before crypto was open

	lastPrune atomic.Int64 // Unix ms of the last retention run (retention.go)

	joined joinedCache // joined members per room from the server, for alert boards (joinedcache.go)

	syncMu   sync.Mutex // one sync request at a time
	searchMu sync.Mutex // one search indexing run at a time (searchindex.go)
	flushMu  sync.Mutex // one queue flush at a time
	sendErrs sync.Map   // txnID → typed error of its last failed attempt (senderr.go)
	closeOne sync.Once

	rowsFolded atomic.Int64 // timeline rows built so far (timeline.go; tests count rebuilt rows)
}

// Login signs in with a password and creates the account's encrypted store in cfg.DataDir.
// homeserver may be a URL, a server name, or empty when user is a full Matrix ID.
//
// The data dir must not hold an account, not even part of one (see Inspect): a dir that does is
// logged out or reset first (ErrAlreadyLoggedIn, ErrIncompleteDataDir). A failed login deletes
// exactly what it created (the store key, the databases, the lock file and dirs it made) and leaves
// everything that was there before untouched.
func Login(ctx context.Context, cfg Config, homeserver, user, password string) (*Session, error) {
	cfg.defaults()
	if cfg.DataDir == "" {
		return nil, ErrNoDataDir
	}
	if p := cfg.keyOptions().Passphrase; p != "" {
		if err := storekey.CheckNewPassphrase(p); err != nil {
			return nil, err
		}
	}
	if err := checkHomeserverInput(cmp.Or(strings.TrimSpace(homeserver), user)); err != nil {
		return nil, err // before anything is created
	}
	dirs := newDirs(cfg.DataDir)
	lockPath := filepath.Join(cfg.DataDir, lockFileName)
	_, lockErr := os.Lstat(lockPath)
	lockExisted := !errors.Is(lockErr, fs.ErrNotExist)
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		removeEmptyDirs(dirs)
		return nil, err
	}
	s, err := login(ctx, cfg, lock, homeserver, user, password)
	if err != nil {
		_ = lock.Unlock()
		if exists, ours, _ := probe(lockPath, kindPlain); !lockExisted && exists && ours {
			_ = os.Remove(lockPath)
		}
		removeEmptyDirs(dirs)
		return nil, err
	}
	return s, nil
}

func login(ctx context.Context, cfg Config, lock *flock.Flock, homeserver, user, password string) (*Session, error) {
	st, err := Inspect(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	switch st.Status {
	case DirLoggedIn:
		return nil, fmt.Errorf("%w: %s (log out first, or use another data dir)", ErrAlreadyLoggedIn, cfg.DataDir)
	case DirIncomplete:
		return nil, st.Err()
	}
	// From here on every account file in the dir is one this login created (we hold the lock).
	if homeserver == "" {
		if !strings.HasPrefix(user, "@") {
			return nil, fmt.Errorf("no homeserver: give one, or log in with a full Matrix ID (@user:server) instead of %q", user)
		}
		homeserver = user
	}
	if e, ok := cfg.Policy.(*Enforcer); ok {
		e.ensureLoaded(ctx)
		if err := e.Blocked(); err != nil {
			return nil, policyDenied("login", err) // before anything goes to the homeserver
		}
		if err := e.checkBeforeDiscovery(homeserver, user); err != nil {
			return nil, policyDenied("login", err) // not even discovery goes elsewhere
		}
	}
	info, err := Discover(ctx, cfg.HTTPClient, homeserver)
	if err != nil {
		return nil, err
	}
	loginReq := PolicyRequest{Action: ActionLogin, Homeserver: info.BaseURL, ServerName: loginServerName(homeserver, user), UserID: user}
	if err := policyDenied("login to "+info.BaseURL, cfg.Policy.Check(ctx, loginReq)); err != nil {
		return nil, err
	}
	opts := cfg.keyOptions()
	key, err := storekey.Create(cfg.DataDir, opts)
	if err != nil {
		if errors.Is(err, storekey.ErrKeyringUnavailable) {
			return nil, fmt.Errorf("%w: no OS keyring available (%v); set a passphrase (BOSMESSENGER_PASSPHRASE)", ErrNoStoreSecret, err)
		}
		return nil, fmt.Errorf("failed to create store key: %w", err)
	}
	s, err := openWithKey(ctx, cfg, lock, key)
	if err != nil {
		_ = removeAccountFiles(cfg.DataDir, opts)
		return nil, err
	}
	cli, err := mautrix.NewClient(info.BaseURL, "", "")
	if err != nil {
		s.abortLogin(opts)
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	s.configureClient(cli)
	resp, err := cli.Login(ctx, &mautrix.ReqLogin{
		Type:                     mautrix.AuthTypePassword,
		Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: user},
		Password:                 password,
		InitialDeviceDisplayName: cfg.DeviceName,
	})
	if err != nil {
		s.abortLogin(opts)
		var httpErr mautrix.HTTPError
		if errors.As(err, &httpErr) && httpErr.RespError != nil {
			return nil, fmt.Errorf("%w: %s", ErrLoginRefused, httpErr.RespError.Err)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, info.BaseURL, unwrapURLError(err))
	}
	cli.AccessToken, cli.UserID, cli.DeviceID = resp.AccessToken, resp.UserID, resp.DeviceID
	if loginReq.ServerName = resp.UserID.Homeserver(); loginReq.ServerName != "" {
		// The server may have signed us in on another server name than the one checked.
		if err := policyDenied("login as "+resp.UserID.String(), cfg.Policy.Check(ctx, loginReq)); err != nil {
			_, _ = cli.Logout(ctx)
			s.abortLogin(opts)
			return nil, err
		}
	}
	s.cli = cli
	s.account = Account{Homeserver: info.BaseURL, UserID: resp.UserID, DeviceID: resp.DeviceID}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		return errors.Join(
			tx.SetValue(store.KeyHomeserver, info.BaseURL),
			tx.SetValue(store.KeyUserID, resp.UserID.String()),
			tx.SetValue(store.KeyDeviceID, resp.DeviceID.String()),
			tx.SetValue(store.KeyAccessToken, resp.AccessToken),
		)
	})
	if err != nil {
		_, _ = cli.Logout(ctx)
		s.abortLogin(opts)
		return nil, fmt.Errorf("failed to save account: %w", err)
	}
	if err := s.openCrypto(ctx); err != nil {
		_, _ = cli.Logout(ctx)
		s.abortLogin(opts)
		return nil, err
	}
	s.bootstrapCrossSigning(ctx, password)
	tightenDataDir(s.dir) // the dir holds an account now: 0700 (its files were created 0600)
	s.log.Info().Str("user_id", resp.UserID.String()).Str("device_id", resp.DeviceID.String()).Msg("Logged in")
	return s, nil
}

// openCrypto opens the device's E2EE state (creating and uploading its keys on first use) and
// retries the decryption of stored events whose keys arrived while we were not running.
func (s *Session) openCrypto(ctx context.Context) error {
	path := filepath.Join(s.dir, e2ee.FileName)
	if err := store.PrivateFile(path); err != nil { // SQLite would create it 0644
		return fmt.Errorf("failed to set up end-to-end encryption: %w", err)
	}
	m, err := e2ee.Open(ctx, s.cli, path, s.sealer.DeriveKey("crypto-pickle v1", 32), s.db, s.log)
	if err != nil {
		return fmt.Errorf("failed to set up end-to-end encryption: %w", err)
	}
	s.e2ee = m
	m.SetExcludeInsecureDevices(s.cfg.ExcludeInsecureDevices)
	m.SetKeyShareFilter(func(ctx context.Context, user id.UserID) error {
		return s.checkPolicy(ctx, "share a room key with "+user.String(), PolicyRequest{Action: ActionShareKeys, Target: user.String()})
	})
	m.OnDeviceListsChanged(func(ctx context.Context, users []id.UserID) {
		s.onDeviceListsChanged(ctx, users)
		s.ownKeysChanged(ctx, users)
	})
	s.bosMu.Lock()
	removed := s.discardPending
	s.discardPending = nil
	s.bosMu.Unlock()
	if len(removed) > 0 {
		s.discardRoomKeys(ctx, removed)
	}
	if err := m.EnableVerification(ctx, s.onVerification); err != nil {
		return err
	}
	s.initDeviceGate(ctx)
	return s.retryUndecrypted(ctx, nil)
}

// abortLogin deletes the account files a failed login created (login made sure there were none
// before), keeping the lock; Login then deletes the lock file and dirs it created.
func (s *Session) abortLogin(opts storekey.Options) {
	s.detachPolicy()
	_ = s.closeCrypto()
	_ = s.db.Close()
	_ = removeAccountFiles(s.dir, opts)
}

// Open opens the account stored in cfg.DataDir.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	cfg.defaults()
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, cfg, lock)
	if err != nil {
		_ = lock.Unlock()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, cfg Config, lock *flock.Flock) (*Session, error) {
	st, err := Inspect(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := st.Err(); err != nil {
		return nil, err
	}
	tightenDataDir(cfg.DataDir)
	opts := cfg.keyOptions()
	key, err := storekey.Unlock(cfg.DataDir, opts)
	if err != nil {
		return nil, fmt.Errorf("failed to unlock store: %w", err)
	}
	s, err := openWithKey(ctx, cfg, lock, key)
	if err != nil {
		return nil, err
	}
	var hs, userID, deviceID, token string
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var e1, e2, e3, e4 error
		hs, e1 = tx.Value(store.KeyHomeserver)
		userID, e2 = tx.Value(store.KeyUserID)
		deviceID, e3 = tx.Value(store.KeyDeviceID)
		token, e4 = tx.Value(store.KeyAccessToken)
		return errors.Join(e1, e2, e3, e4)
	})
	if err == nil && token == "" {
		err = fmt.Errorf("%w in %s: bos.db holds no account (a login was interrupted); %s", ErrIncompleteDataDir,
			cfg.DataDir, DirState{Dir: cfg.DataDir, Missing: []string{dbFileName}}.Recovery())
	}
	if err != nil {
		_ = s.db.Close()
		return nil, err
	}
	cli, err := mautrix.NewClient(hs, id.UserID(userID), token)
	if err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	cli.DeviceID = id.DeviceID(deviceID)
	s.configureClient(cli)
	s.cli = cli
	s.account = Account{Homeserver: hs, UserID: id.UserID(userID), DeviceID: id.DeviceID(deviceID)}
	if _, err := s.pruneOldMessages(ctx); err != nil { // local retention (retention.go)
		_ = s.db.Close()
		return nil, err
	}
	if err := s.openCrypto(ctx); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

func openWithKey(ctx context.Context, cfg Config, lock *flock.Flock, key []byte) (*Session, error) {
	sealer, err := seal.New(key)
	if err != nil {
		return nil, fmt.Errorf("failed to set up store encryption: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, dbFileName), sealer)
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, dir: cfg.DataDir, lock: lock, db: db, sealer: sealer, log: cfg.Log}
	s.bus = newBus()
	if err := s.attachPolicy(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) configureClient(cli *mautrix.Client) {
	cli.Client = s.cfg.HTTPClient
	cli.Log = zerolog.Nop() // mautrix logs URLs with sync tokens; we log ourselves
	cli.DefaultHTTPRetries = 0
	cli.UserAgent = "BOSMessenger/0.1 " + mautrix.DefaultUserAgent
}

// Account is the signed-in user and device.
func (s *Session) Account() Account { return s.account }

// DataDir is the account's data dir.
func (s *Session) DataDir() string { return s.dir }

// Close closes the store and releases the data dir.
func (s *Session) Close() error {
	var err error
	s.closeOne.Do(func() {
		s.detachPolicy()
		s.closeCalls()
		s.closeGroupCalls()
		s.bus.close()
		thumbCaches.Delete(s)
		_ = s.removeTempFiles()
		err = errors.Join(s.closeCrypto(), s.db.Close())
		_ = s.lock.Unlock()
	})
	return err
}

func (s *Session) closeCrypto() error {
	if s.e2ee == nil {
		return nil
	}
	return s.e2ee.Close()
}

// Logout deletes this device on the server and wipes all local data of the account.
func (s *Session) Logout(ctx context.Context) error {
	if _, err := s.cli.Logout(ctx); err != nil && !errors.Is(err, mautrix.MUnknownToken) {
		return fmt.Errorf("failed to log out on the server (local data kept): %w", err)
	}
	s.log.Info().Str("device_id", s.account.DeviceID.String()).Msg("Logged out")
	opts := s.cfg.keyOptions()
	var err error
	s.closeOne.Do(func() {
		s.detachPolicy()
		s.bus.close()
		thumbCaches.Delete(s)
		err = errors.Join(s.closeCrypto(), s.db.Close(), wipeDataDir(s.dir, opts))
		_ = s.lock.Unlock()
		_ = os.Remove(filepath.Join(s.dir, lockFileName))
	})
	if err != nil {
		return fmt.Errorf("failed to wipe local data: %w", err)
	}
	return nil
}

// loginServerName is the server name of the account to sign in, when known before sign-in: the
// server of a full Matrix ID, or the server name given instead of a URL.
func loginServerName(homeserver, user string) string {
	if strings.HasPrefix(user, "@") {
		_, server, _ := id.UserID(user).Parse()
		return strings.ToLower(server)
	}
	if homeserver = strings.TrimSpace(homeserver); homeserver != "" && !isURL(homeserver) && !strings.HasPrefix(homeserver, "@") {
		return strings.ToLower(homeserver)
	}
	return ""
}
