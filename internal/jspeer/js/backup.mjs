// backup.mjs: secret storage and server-side key backup (m.megolm_backup.v1).
import { decodeRecoveryKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import { state, client, crypto, waitFor } from "./shared.mjs";

// getSecretStorageKey is the client's crypto callback: secret storage is unlocked with
// state.ssssKey (set by setup_key_backup or restore_key_backup), for the default key if asked.
export async function getSecretStorageKey({ keys }) {
  if (!state.ssssKey) return null;
  const ids = Object.keys(keys);
  const def = await client().secretStorage.getDefaultKeyId();
  const keyId = ids.includes(def) ? def : ids[0];
  return keyId ? [keyId, state.ssssKey] : null;
}

// cacheSecretStorageKey remembers a secret storage key the SDK just created.
export function cacheSecretStorageKey(_keyId, _keyInfo, key) {
  state.ssssKey = key;
}

// serverBackupInfo is the server's current backup version, fetched now (the SDK caches its own).
async function serverBackupInfo() {
  try {
    return await client().http.authedRequest("GET", "/room_keys/version");
  } catch (e) {
    if (e?.data?.errcode === "M_NOT_FOUND") return null;
    throw e;
  }
}

async function backupInfo() {
  const info = await serverBackupInfo();
  if (!info) return { version: "", count: 0, trusted: false, matches_decryption_key: false };
  const trust = await crypto().isKeyBackupTrusted(info);
  return {
    version: info.version ?? "",
    count: info.count ?? 0,
    trusted: Boolean(trust.trusted),
    matches_decryption_key: Boolean(trust.matchesDecryptionKey),
  };
}

export const backupOps = {
  // setup_key_backup creates secret storage (a new key, from the passphrase if given) holding the
  // cross-signing keys and a new key backup; the SDK then uploads its room keys into it.
  async setup_key_backup({ passphrase }) {
    const c = crypto();
    const generated = await c.createRecoveryKeyFromPassphrase(passphrase || undefined);
    state.ssssKey = generated.privateKey;
    await c.bootstrapSecretStorage({
      createSecretStorageKey: async () => generated,
      setupNewSecretStorage: true,
      setupNewKeyBackup: true,
    });
    return { recovery_key: generated.encodedPrivateKey, version: (await c.getActiveSessionBackupVersion()) ?? "" };
  },

  // wait_key_backup waits until the backup on the server holds at least min_count keys.
  async wait_key_backup({ min_count, timeout_ms }) {
    await waitFor(`${min_count} keys in the key backup`, timeout_ms, async () => {
      const info = await serverBackupInfo();
      return (info?.count ?? 0) >= min_count;
    }, 200);
    return await backupInfo();
  },

  async key_backup_info() {
    return await backupInfo();
  },

  // restore_key_backup unlocks secret storage with a recovery key, takes the backup key from it
  // and imports all room keys of the current backup.
  async restore_key_backup({ recovery_key }) {
    const c = crypto();
    state.ssssKey = decodeRecoveryKey(recovery_key);
    await c.loadSessionBackupPrivateKeyFromSecretStorage();
    const res = await c.restoreKeyBackup();
    return { total: res.total, imported: res.imported };
  },

  // restore_cross_signing unlocks secret storage with a recovery key and lets the SDK take the
  // cross-signing keys from it (bootstrapCrossSigning imports them when they are not cached
  // locally) and sign its own device with them; it waits until the SDK sees its device
  // cross-signing verified.
  async restore_cross_signing({ recovery_key, timeout_ms }) {
    const c = crypto();
    state.ssssKey = decodeRecoveryKey(recovery_key);
    // The import checks the keys against the public identity: wait until the SDK's key query
    // (after its first sync) brought it.
    await waitFor("own cross-signing public keys", timeout_ms, async () => (await c.getCrossSigningStatus()).publicKeysOnDevice, 100);
    await c.bootstrapCrossSigning({
      authUploadDeviceSigningKeys: async () => {
        throw new Error("the SDK wanted to upload new cross-signing keys instead of importing them");
      },
    });
    const cl = client();
    await waitFor("own device cross-signed with the imported keys", timeout_ms, async () => {
      const st = await c.getDeviceVerificationStatus(cl.getUserId(), cl.getDeviceId());
      return st?.signedByOwner && st?.crossSigningVerified;
    }, 100);
    const st = await c.getCrossSigningStatus();
    const cached = st.privateKeysCachedLocally;
    return {
      private_keys_cached: Boolean(cached.masterKey && cached.selfSigningKey && cached.userSigningKey),
      master_key: (await c.getCrossSigningKeyId()) ?? "",
    };
  },
};
