package session

import (
	"crypto/subtle"
	"fmt"
	"time"

	"bosmessenger/session/policy"
)

// NotificationContent is what a desktop or lock-screen notification may show (policy key
// notification_content); front ends build their notification text by it.
type NotificationContent string

// Notification contents.
const (
	NotifyNone   NotificationContent = policy.NotifyNone   // only that something arrived
	NotifySender NotificationContent = policy.NotifySender // room and sender, never the text
	NotifyFull   NotificationContent = policy.NotifyFull   // room, sender and the message text
)

// applyManaged copies the managed settings of the policy into cfg.
func applyManaged(cfg Config, p *policy.Policy) Config {
	cfg.MaxUploadBytes = p.MaxUploadBytes()
	cfg.KeepMessagesDays = p.KeepMessagesDays()
	cfg.DisableKeyExport = p.Bool(policy.KeyDisableKeyExport)
	cfg.DisableFileSave = p.Bool(policy.KeyDisableFileSave)
	cfg.DisableLocation = p.Bool(policy.KeyDisableLocation)
	cfg.DisableChatExport = p.Bool(policy.KeyDisableChatExport)
	cfg.DisableCalls = p.Bool(policy.KeyDisableCalls)
	cfg.NotificationContent = NotificationContent(p.NotificationContent())
	// alert_ack_jitter_s: the window of the random delay before an alert is acknowledged; 0 means
	// at once (Config's 0 means the default, a negative window none).
	if j := p.Int(policy.KeyAlertAckJitterS); j > 0 {
		cfg.AlertAckJitter = time.Duration(j) * time.Second
	} else {
		cfg.AlertAckJitter = -1
	}
	return cfg
}

// NotificationContent is what notifications may show (NotifySender unless the policy says).
func (s *Session) NotificationContent() NotificationContent {
	switch c := s.cfg.NotificationContent; c {
	case NotifyNone, NotifySender, NotifyFull:
		return c
	}
	return NotifySender
}

// MaxUploadBytes is the largest attachment this session sends (policy max_upload_mb, at most
// MaxFileSize; MaxFileSize for a nil session).
func (s *Session) MaxUploadBytes() int64 {
	if s == nil {
		return MaxFileSize
	}
	return s.cfg.maxUpload()
}

// ManagedPolicy is the effective admin policy the session runs under (nil when its Config.Policy
// is not an Enforcer): for the settings page that shows every key with its source.
func (s *Session) ManagedPolicy() *policy.Policy {
	if e, ok := s.cfg.Policy.(*Enforcer); ok {
		return e.Policy()
	}
	return nil
}

func (c *Config) maxUpload() int64 {
	if c.MaxUploadBytes > 0 && c.MaxUploadBytes < MaxFileSize {
		return c.MaxUploadBytes
	}
	return MaxFileSize
}

// checkUpload refuses an attachment of size bytes over the limit, before anything reads it.
func (c *Config) checkUpload(name string, size int64) error {
	if limit := c.maxUpload(); size > limit {
		return fmt.Errorf("%w: %s has %.1f MB, at most %d MB are allowed; nothing was sent", ErrFileTooLarge, name,
			float64(size)/(1<<20), limit>>20)
	}
	return nil
}

// ErrKeyExportDisabled is returned by ExportRoomKeys when the policy forbids key export.
var ErrKeyExportDisabled = fmt.Errorf("%w: room key export is disabled (disable_key_export)", ErrPolicyDenied)

// ErrFileSaveDisabled is returned by CheckFileSave when the policy forbids saving files.
var ErrFileSaveDisabled = fmt.Errorf("%w: saving files is disabled (disable_file_save)", ErrPolicyDenied)

// CheckFileSave says whether received files may be saved to disk (policy disable_file_save).
func (s *Session) CheckFileSave() error {
	if s.cfg.DisableFileSave {
		return ErrFileSaveDisabled
	}
	return nil
}

func (s *Session) checkKeyExport() error {
	if s.cfg.DisableKeyExport {
		return ErrKeyExportDisabled
	}
	return nil
}

// IsStorePassphrase reports whether p is the passphrase that wraps this session's store key (the
// app lock's PIN must be another one). It is false when the OS keyring holds the store key.
func (s *Session) IsStorePassphrase(p string) bool {
	sp := s.cfg.keyOptions().Passphrase
	return sp != "" && subtle.ConstantTimeCompare([]byte(sp), []byte(p)) == 1
}
