-- v3: how far the sender's device of a decrypted event was trusted when it was decrypted
-- (mautrix id.TrustState: 0 unset, 10 unknown device, 50 cross-signed untrusted, 100 TOFU,
-- 200 cross-signed verified, 300 verified; negative: blacklisted or key mismatch).
ALTER TABLE event ADD COLUMN sender_trust INTEGER NOT NULL DEFAULT 0;
