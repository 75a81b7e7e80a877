-- v6: a stable reason code per undecryptable event (crypto.Reason), so nothing has to read the
-- English detail text in decryption_error, which stays for the detail. Existing rows get their code
-- from the detail text that crypto wrote before v6 (one time, here; code never matches text again).
ALTER TABLE event ADD COLUMN decryption_reason TEXT;

UPDATE event SET decryption_reason = CASE
    WHEN decryption_error = 'device not verified' THEN 'device_not_verified'
    WHEN decryption_error LIKE '%missing session%' THEN 'missing_session'
    WHEN decryption_error LIKE '%withheld the key: m.unverified' THEN 'unverified_device'
    WHEN decryption_error LIKE '%withheld the key: m.no_olm' THEN 'unknown_device'
    WHEN decryption_error LIKE '%withheld%' THEN 'withheld'
    WHEN decryption_error LIKE '%replayed%' OR decryption_error LIKE '%corrupted%'
      OR decryption_error LIKE '%another room%' OR decryption_error LIKE '%do not match%'
      OR decryption_error LIKE '%bad signature%' OR decryption_error LIKE '%bad mac%'
      OR decryption_error LIKE '%bad verification%' OR decryption_error LIKE '%couldn''t be decoded%'
      OR decryption_error LIKE '%illegal base64%' OR decryption_error LIKE '%input too small%'
      OR decryption_error LIKE '%wrong protocol version%' THEN 'tampered'
    WHEN decryption_error LIKE 'unsupported encryption algorithm%' THEN 'unknown_algorithm'
    ELSE 'other'
END
WHERE decryption_error IS NOT NULL AND decryption_error <> '';
