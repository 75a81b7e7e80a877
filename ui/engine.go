package ui

// The engine the GUI depends on: the methods of *session.Session the ui package calls, in small
// role interfaces composed into Engine, so that widget and dialog tests can use a fake (see
// engine_fake_test.go). Shell, the composition root, holds the concrete *session.Session and
// hands it down as an Engine. Keep every engine method the GUI calls in this file.

import (
	"context"
	"image"
	"time"

	"maunium.net/go/mautrix/id"

	"bosmessenger/session"
	"bosmessenger/session/alert"
	"bosmessenger/session/callmedia"
	"bosmessenger/session/incident"
	"bosmessenger/session/policy"
	"bosmessenger/session/poll"
	"bosmessenger/session/rtc"
	"bosmessenger/session/voice"
)

// Engine is everything the GUI asks of the engine.
type Engine interface {
	EngineLifecycle
	EngineRooms
	EngineTimeline
	EngineSender
	EngineCalls
	EngineSecurity
	EngineBOS
}

// *session.Session is the engine of the GUI.
var _ Engine = (*session.Session)(nil)

// EngineLifecycle runs the engine and tells the front end about changes.
type EngineLifecycle interface {
	Run(ctx context.Context, timeout time.Duration, onSync func(session.SyncStats)) error
	Subscribe(since int64) *session.Subscription
	LastSeq(ctx context.Context) (seq int64, err error)
	Account() session.Account
	DataDir() string
	Logout(ctx context.Context) error
	WipeLocal(ctx context.Context) error
	IsStorePassphrase(p string) bool
	AppLockState(ctx context.Context) ([]byte, error)
	SetAppLockState(ctx context.Context, data []byte) error
	DeviceLocked() bool
	ManagedPolicy() *policy.Policy
	BlockedReason() error
	CheckChatExport() error
	CheckFileSave() error
	CheckLocation() error
	MaxUploadBytes() int64
	MediaMetadataStripping() (on bool, enforced bool)
	SetKeepMediaMetadata(keep bool) error
}

// EngineRooms lists, creates, joins and configures rooms.
type EngineRooms interface {
	Rooms(ctx context.Context) (out []session.RoomSummary, err error)
	Room(ctx context.Context, roomID id.RoomID) (sum session.RoomSummary, err error)
	RoomAvatar(ctx context.Context, roomID id.RoomID, px int) (image.Image, error)
	CreateRoom(ctx context.Context, opts session.CreateRoomOptions) (id.RoomID, error)
	CreateDM(ctx context.Context, user id.UserID, encrypted bool) (id.RoomID, error)
	Join(ctx context.Context, roomIDOrAlias string) (id.RoomID, error)
	Leave(ctx context.Context, roomID id.RoomID) error
	Invite(ctx context.Context, roomID id.RoomID, user id.UserID) error
	RejectInvite(ctx context.Context, roomID id.RoomID) error
	MemberList(ctx context.Context, roomID id.RoomID) ([]session.MemberInfo, error)
	SetRoomName(ctx context.Context, roomID id.RoomID, name string) error
	SetRoomTopic(ctx context.Context, roomID id.RoomID, topic string) error
	EnableEncryption(ctx context.Context, roomID id.RoomID) error
	RoomNotificationLevel(ctx context.Context, roomID id.RoomID) (session.RoomNotificationLevel, error)
	SetRoomNotificationLevel(ctx context.Context, roomID id.RoomID, level session.RoomNotificationLevel) error
	RefreshPushRules(ctx context.Context) error
	Typing(ctx context.Context, roomID id.RoomID) (out []string, err error)
	SetTyping(ctx context.Context, roomID id.RoomID, typing bool) error
	Search(ctx context.Context, text string, opts session.SearchOptions) ([]session.SearchHit, error)
	SearchPending(ctx context.Context) (n int, err error)
	ExportRoom(ctx context.Context, roomID id.RoomID, dir string, opts session.ExportOptions) (*session.ExportResult, error)
	Keywords(ctx context.Context) ([]string, error)
	AddKeyword(ctx context.Context, kw string) error
	RemoveKeyword(ctx context.Context, kw string) error
	NotificationContent() session.NotificationContent
	NotificationPreview(ctx context.Context, roomID id.RoomID) (p session.NotificationPreview, ok bool, err error)
}

// EngineTimeline reads the timeline of rooms and threads as a GUI shows it.
type EngineTimeline interface {
	Timeline(ctx context.Context, roomID id.RoomID, limit int) ([]session.Message, error)
	TimelineAfter(ctx context.Context, roomID id.RoomID, after int64, limit int) (session.TimelinePage, error)
	TimelineBefore(ctx context.Context, roomID id.RoomID, before int64, limit int) (session.TimelinePage, error)
	TimelineChanges(ctx context.Context, roomID id.RoomID, batch []session.Change) (session.TimelineDelta, error)
	TimelineReadBy(ctx context.Context, roomID id.RoomID) (map[id.EventID][]id.UserID, error)
	TimelineRows(ctx context.Context, roomID id.RoomID, ids []id.EventID) ([]session.Message, error)
	ThreadTimeline(ctx context.Context, roomID id.RoomID, root id.EventID, limit int) ([]session.Message, error)
	LoadThread(ctx context.Context, roomID id.RoomID, root id.EventID) (int, error)
	MarkRead(ctx context.Context, roomID id.RoomID, eventID id.EventID) error
	MarkThreadRead(ctx context.Context, roomID id.RoomID, root id.EventID, eventID id.EventID) error
	DownloadFile(ctx context.Context, eventID id.EventID) (*session.Attachment, error)
	OpenFileTemp(ctx context.Context, eventID id.EventID) (string, error)
	Thumbnail(ctx context.Context, eventID id.EventID, maxPx int) (image.Image, error)
}

// EngineSender queues messages and manages the send queue.
type EngineSender interface {
	Send(ctx context.Context, roomID id.RoomID, d session.Draft) (string, error)
	SendReaction(ctx context.Context, roomID id.RoomID, target id.EventID, key string) (string, error)
	SendFile(ctx context.Context, roomID id.RoomID, name string, mimeType string, data []byte) (string, error)
	SendAttachment(ctx context.Context, roomID id.RoomID, f *session.AttachmentFile, name string, mimeType string) (string, error)
	SendLocation(ctx context.Context, roomID id.RoomID, l session.Location) (string, error)
	SendVoice(ctx context.Context, roomID id.RoomID, clip *voice.Clip) (string, error)
	Redact(ctx context.Context, roomID id.RoomID, eventID id.EventID, reason string) error
	Retry(ctx context.Context, txnID string) error
	Drop(ctx context.Context, txnID string) error
}

// EngineCalls places, answers and ends 1:1 calls.
type EngineCalls interface {
	Call(callID string) (session.CallInfo, error)
	PlaceCall(ctx context.Context, roomID id.RoomID, opts session.CallMediaOptions) (session.CallInfo, error)
	AnswerCall(ctx context.Context, callID string, opts session.CallMediaOptions) error
	RejectCall(callID string) error
	HangupCall(callID string, reason string) error
	SetCallMuted(callID string, muted bool) error
	CallStats(callID string) (callmedia.Stats, bool)
	CheckCalls() error
	CallVideoFrame(callID string) (image.Image, uint64)
	// Group calls (MatrixRTC, ui/groupcall.go).
	JoinGroupCall(ctx context.Context, roomID id.RoomID, opts session.GroupCallOptions) (session.GroupCallInfo, error)
	LeaveGroupCall(ctx context.Context, roomID id.RoomID) error
	GroupCall(roomID id.RoomID) (session.GroupCallInfo, error)
	GroupCallMembers(ctx context.Context, roomID id.RoomID) ([]rtc.Member, error)
	SetGroupCallMuted(roomID id.RoomID, muted bool) error
}

// EngineSecurity verifies devices and users, backs up keys.
type EngineSecurity interface {
	Devices(ctx context.Context, userID id.UserID) ([]session.DeviceInfo, error)
	DeleteDevice(ctx context.Context, deviceID id.DeviceID, password string) error
	RenameDevice(ctx context.Context, deviceID id.DeviceID, name string) error
	OwnDeviceVerified(ctx context.Context) (bool, error)
	UserTrust(ctx context.Context, userID id.UserID) (session.UserTrustInfo, error)
	AcknowledgeIdentity(ctx context.Context, userID id.UserID) error
	StartVerification(ctx context.Context, userID id.UserID, deviceID id.DeviceID) (*session.Verification, error)
	AcceptVerification(ctx context.Context, verificationID string) (*session.Verification, error)
	PendingVerifications() []session.VerificationInfo
	Verification(verificationID string) *session.Verification
	VerifyWithRecoveryKey(ctx context.Context, recoveryKeyOrPassphrase string) error
	CreateKeyBackup(ctx context.Context, passphrase string) (recoveryKey string, err error)
	RestoreKeyBackup(ctx context.Context, recoveryKeyOrPassphrase string) error
}

// EngineBOS sends and shows the BOS features: alerts, unit status, polls, incidents.
type EngineBOS interface {
	AlertBoard(ctx context.Context, roomID id.RoomID, alertEvent id.EventID) (*alert.Board, error)
	AlertInfo(ctx context.Context, eventID id.EventID) (info alert.Info, ok bool, err error)
	OpenAlerts(ctx context.Context) ([]alert.Info, error)
	DismissAlert(ctx context.Context, alertEvent id.EventID) error
	SendAlertResponse(ctx context.Context, roomID id.RoomID, alertEvent id.EventID, r alert.Response) (string, error)
	SendUnitStatus(ctx context.Context, roomID id.RoomID, st alert.UnitStatus) (string, error)
	UnitStatuses(ctx context.Context, roomID id.RoomID) ([]session.UnitReport, error)
	CreatePoll(ctx context.Context, roomID id.RoomID, p poll.Poll) (string, error)
	VotePoll(ctx context.Context, roomID id.RoomID, pollEvent id.EventID, answers []string) (string, error)
	EndPoll(ctx context.Context, roomID id.RoomID, pollEvent id.EventID, text string) (string, error)
	EndPollText(ctx context.Context, roomID id.RoomID, pollEvent id.EventID, lang string) (string, error)
	CreateIncident(ctx context.Context, req session.IncidentRequest) (session.IncidentResult, error)
	IncidentTemplates() ([]incident.Template, error)
}
