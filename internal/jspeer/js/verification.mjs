// verification.mjs: cross-signing bootstrap, device trust and SAS verification.
import { EV, PHASE, push, state, client, crypto, waitFor } from "./shared.mjs";

// trackRequest follows a verification request: the initiator starts SAS once
// the other side is ready, and both sides run the verifier when it appears.
export function trackRequest(req) {
  if (state.attached.has(req)) return;
  state.attached.add(req);
  state.requests.push(req);
  state.sas = null;
  state.verifyDone = null;
  state.verifyError = null;
  const onChange = () => {
    if (req.phase === PHASE.Ready && req.initiatedByMe && !req.noAutoSas && !req.verifier && !req.startingSas) {
      req.startingSas = true;
      req.startVerification("m.sas.v1").catch((e) => {
        state.verifyError = e;
        console.error("jspeer: startVerification:", e);
      });
    }
    const v = req.verifier;
    if (v && !state.attached.has(v)) {
      state.attached.add(v);
      v.on(EV.showSas, (sas) => {
        state.sas = sas;
        push("sas", { emoji: (sas.sas.emoji ?? []).map((e) => e[1]) });
      });
      v.on(EV.verifierCancel, (e) => {
        state.verifyError = e instanceof Error ? e : new Error(`cancelled: ${e?.getContent?.()?.code ?? e}`);
      });
      state.verifyDone = v.verify().then(
        () => push("verification_done", { user_id: req.otherUserId, device_id: req.otherDeviceId ?? "" }),
        (e) => {
          state.verifyError = e;
          throw e;
        },
      );
      state.verifyDone.catch(() => {});
    }
    if (req.phase === PHASE.Cancelled && !state.verifyError) {
      state.verifyError = new Error(`verification cancelled: ${req.cancellationCode}`);
    }
  };
  req.on(EV.requestChange, onChange);
  onChange();
}

// attachVerificationHandlers follows incoming verification requests and tells Go about them.
export function attachVerificationHandlers(c) {
  c.on(EV.verificationRequest, (req) => {
    trackRequest(req);
    push("verification_request", {
      user_id: req.otherUserId,
      device_id: req.otherDeviceId ?? "",
      transaction_id: req.transactionId ?? "",
    });
  });
}

function currentRequest() {
  const r = state.requests[state.requests.length - 1];
  if (!r) throw new Error("no verification request");
  return r;
}

export const verificationOps = {
  async bootstrap_cross_signing({ password, reset, timeout_ms }) {
    const c = client();
    const pw = password || state.password;
    const auth = { type: "m.login.password", identifier: { type: "m.id.user", user: c.getUserId() }, password: pw };
    await crypto().bootstrapCrossSigning({
      // reset: new cross-signing keys even when some exist (an identity reset).
      setupNewCrossSigning: Boolean(reset),
      authUploadDeviceSigningKeys: async (makeRequest) => {
        try {
          return await makeRequest(auth);
        } catch (e) {
          // A server that insists on a UIA session answers 401 with one: retry
          // with it. (Dendrite 0.13.8 takes the password auth without a session.)
          if (e?.httpStatus === 401 && e?.data?.session) {
            console.error("jspeer: cross-signing upload: retrying with the UIA session", e.data.session);
            return await makeRequest({ ...auth, session: e.data.session });
          }
          throw e;
        }
      },
    });
    // The SDK learns that its own device is now signed only from a later
    // /keys/query (after the device list change comes down /sync): wait for it.
    const uid = c.getUserId();
    const did = c.getDeviceId();
    await waitFor("own device signed by the new self-signing key", timeout_ms, async () => {
      const st = await crypto().getDeviceVerificationStatus(uid, did);
      return st?.signedByOwner && st?.crossSigningVerified;
    }, 100);
    return { ready: await crypto().isCrossSigningReady() };
  },

  async device_verified({ user_id, device_id }) {
    // null for devices the Rust crypto does not track (no shared encrypted room).
    const st = await crypto().getDeviceVerificationStatus(user_id, device_id);
    return {
      verified: Boolean(st?.isVerified()),
      cross_signing_verified: Boolean(st?.crossSigningVerified),
      locally_verified: Boolean(st?.localVerified),
      signed_by_owner: Boolean(st?.signedByOwner),
      known: Boolean(st),
    };
  },

  async user_verified({ user_id }) {
    const st = await crypto().getUserVerificationStatus(user_id);
    return {
      cross_signing_verified: Boolean(st?.isCrossSigningVerified()),
      was_cross_signing_verified: Boolean(st?.wasCrossSigningVerified()),
      needs_user_approval: Boolean(st?.needsUserApproval),
    };
  },

  async cross_signing_id() {
    return { master_key: (await crypto().getCrossSigningKeyId()) ?? "" };
  },

  async request_verification({ user_id, device_id, auto_sas, timeout_ms }) {
    const c = crypto();
    // The Rust crypto only knows devices of users it tracks (members of shared
    // encrypted rooms); their keys may still be in flight after a join.
    await waitFor(
      `device ${user_id}/${device_id} to be known (share an encrypted room with the user first)`,
      Math.min(timeout_ms, 10000),
      async () => (await c.getDeviceVerificationStatus(user_id, device_id)) !== null,
      100,
    );
    const req = await c.requestDeviceVerification(user_id, device_id);
    // auto_sas false: the flow waits in Ready for a QR code (or an explicit start).
    req.noAutoSas = auto_sas === false;
    trackRequest(req);
    return { transaction_id: req.transactionId ?? "" };
  },

  async request_verification_dm({ user_id, room_id, timeout_ms }) {
    // In-room verification (as Element verifies other users). The Rust crypto needs the user's
    // identity, which it learns from a key query after sharing an encrypted room.
    const req = await waitFor(`the identity of ${user_id} to be known`, Math.min(timeout_ms, 10000), async () => {
      try {
        return await crypto().requestVerificationDM(user_id, room_id);
      } catch (e) {
        if (String(e?.message ?? e).includes("unknown userId")) return undefined;
        throw e;
      }
    }, 200);
    trackRequest(req);
    return { transaction_id: req.transactionId ?? "", room_id: req.roomId ?? "" };
  },

  async accept_verification({ timeout_ms }) {
    const req = await waitFor("an incoming verification request", timeout_ms, () =>
      state.requests.findLast((r) => !r.initiatedByMe && r.phase === PHASE.Requested),
    );
    await req.accept();
    return { user_id: req.otherUserId, device_id: req.otherDeviceId ?? "" };
  },

  async qr_code({ timeout_ms }) {
    // The QR code exists once the request is ready and the other side can scan.
    const data = await waitFor("a QR code to show", timeout_ms, async () => {
      const req = currentRequest();
      if (req.phase === PHASE.Cancelled) throw new Error(`verification cancelled: ${req.cancellationCode}`);
      return req.phase === PHASE.Ready ? await req.generateQRCode() : undefined;
    });
    return { data: Buffer.from(data).toString("base64") };
  },

  async scan_qr_code({ data, timeout_ms }) {
    const req = await waitFor("the verification request to be ready", timeout_ms, () => {
      const r = currentRequest();
      if (r.phase === PHASE.Cancelled) throw new Error(`verification cancelled: ${r.cancellationCode}`);
      return r.phase === PHASE.Ready ? r : undefined;
    });
    const verifier = await req.scanQRCode(new Uint8ClampedArray(Buffer.from(data, "base64")));
    if (!state.attached.has(verifier)) {
      state.attached.add(verifier);
      state.verifyDone = verifier.verify();
      state.verifyDone.catch((e) => {
        state.verifyError = e;
      });
    }
    return {};
  },

  async confirm_qr_scanned({ timeout_ms }) {
    // The other side scanned our QR code and sent m.reciprocate.v1: confirm that it showed success.
    const callbacks = await waitFor("the other side to scan our QR code", timeout_ms, () => {
      if (state.verifyError) throw state.verifyError;
      const req = currentRequest();
      // The request must not finish before our user confirmed (the SDK ignores the other
      // side's done until then, and would never mark it verified).
      if (req.phase === PHASE.Done || req.phase === PHASE.Cancelled) {
        throw new Error(`verification finished (phase ${req.phase}) before the scan was confirmed`);
      }
      return req.verifier?.getReciprocateQrCodeCallbacks();
    });
    callbacks.confirm();
    return {};
  },

  async wait_verification_done({ timeout_ms }) {
    await waitFor("the verification to finish", timeout_ms, () => {
      const req = currentRequest();
      if (req.phase === PHASE.Cancelled) throw new Error(`verification cancelled: ${req.cancellationCode}`);
      if (state.verifyError) throw state.verifyError;
      return req.phase === PHASE.Done;
    });
    return {};
  },

  async sas_emojis({ timeout_ms }) {
    const sas = await waitFor("the SAS", timeout_ms, () => {
      if (state.verifyError) throw state.verifyError;
      return state.sas;
    });
    return { emoji: (sas.sas.emoji ?? []).map((e) => e[1]), symbols: (sas.sas.emoji ?? []).map((e) => e[0]) };
  },

  async confirm_sas({ timeout_ms, no_wait }) {
    const sas = state.sas;
    if (!sas) throw new Error("no SAS to confirm");
    await sas.confirm();
    if (no_wait) return {};
    await waitFor("the verification to finish", timeout_ms, () => {
      if (state.verifyError) throw state.verifyError;
      return currentRequest().phase === PHASE.Done;
    });
    return {};
  },
};
