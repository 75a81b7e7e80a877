package session

import (
	"context"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
)

// SetRoomName changes a room's name (m.room.name).
func (s *Session) SetRoomName(ctx context.Context, roomID id.RoomID, name string) error {
	if _, err := s.cli.SendStateEvent(ctx, roomID, event.StateRoomName, "", &event.RoomNameEventContent{Name: name}); err != nil {
		return s.classify("set the room name", err)
	}
	return nil
}

// SetRoomTopic changes a room's topic (m.room.topic).
func (s *Session) SetRoomTopic(ctx context.Context, roomID id.RoomID, topic string) error {
	if _, err := s.cli.SendStateEvent(ctx, roomID, event.StateTopic, "", &event.TopicEventContent{Topic: topic}); err != nil {
		return s.classify("set the room topic", err)
	}
	return nil
}

// EnableEncryption turns on end-to-end encryption in a room (it cannot be turned off again).
func (s *Session) EnableEncryption(ctx context.Context, roomID id.RoomID) error {
	content := &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}
	if _, err := s.cli.SendStateEvent(ctx, roomID, event.StateEncryption, "", content); err != nil {
		return s.classify("enable encryption", err)
	}
	return nil
}
