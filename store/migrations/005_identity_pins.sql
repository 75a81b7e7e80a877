-- v5: the cross-signing identity we pinned for each user (trust on first use, or acknowledged
-- after a change) and whether we verified it, so an identity change is noticed and a verified
-- user whose master key changed does not stay verified. Master keys are public keys.
CREATE TABLE identity_pin (
    user_id    TEXT PRIMARY KEY,
    master_key TEXT NOT NULL,              -- the pinned master key (unpadded base64 ed25519)
    verified   INTEGER NOT NULL DEFAULT 0, -- 1: we verified master_key (our user-signing key signed it)
    seen_key   TEXT NOT NULL DEFAULT ''    -- a different master key seen since and not acknowledged
) STRICT;
