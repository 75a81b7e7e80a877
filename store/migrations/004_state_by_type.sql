-- v4: look up current state by type and state key across rooms (the spaces that list a room as
-- m.space.child, the rooms that are spaces).
CREATE INDEX current_state_type_key_idx ON current_state (type, state_key);
