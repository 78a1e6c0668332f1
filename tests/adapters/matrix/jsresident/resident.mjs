// A resident on matrix-js-sdk with its Rust crypto: the stack Element Web runs on, set up as
// Element does since 2026 (own device cross-signed, "exclude insecure devices"). The Matrix tests
// drive it with JSON lines: one command per line on stdin ({"id", "cmd", ...}), one answer per
// command on stdout ({"id", "ok", ...} or {"id", "error"}), and every room event it receives as
// {"event": {...}} with how it decrypted and the shield Element would draw.

import "./shims.mjs";
import readline from "node:readline";
import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";
import {
  EventShieldColour,
  EventShieldReason,
  OnlySignedDevicesIsolationMode,
} from "matrix-js-sdk/lib/crypto-api/index.js";

logger.setLevel(process.env.JSRESIDENT_LOG || "error");

let client = null;

// stdout carries the JSON lines alone: whatever the SDK logs goes to stderr.
for (const level of ["log", "debug", "info", "warn", "trace"]) console[level] = console.error;

function emit(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

async function describe(event, room) {
  const described = {
    event_id: event.getId(),
    room_id: room ? room.roomId : event.getRoomId(),
    sender: event.getSender(),
    type: event.getType(),
    content: event.getContent(),
    encrypted: event.isEncrypted(),
    decryption_failure: event.isDecryptionFailure() ? String(event.decryptionFailureReason) : null,
    shield: null,
    shield_reason: null,
  };
  if (event.isEncrypted() && !event.isDecryptionFailure()) {
    const info = await client.getCrypto().getEncryptionInfoForEvent(event);
    if (info) {
      described.shield = EventShieldColour[info.shieldColour];
      described.shield_reason = info.shieldReason === null ? null : EventShieldReason[info.shieldReason];
    }
  }
  return described;
}

async function report(event, room) {
  if (event.getSender() === client.getUserId()) return;
  emit({ event: await describe(event, room) });
}

async function start({ homeserver, user, password }) {
  const login = sdk.createClient({ baseUrl: homeserver });
  const session = await login.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password,
    initial_device_display_name: "Element (js-sdk resident)",
  });
  client = sdk.createClient({
    baseUrl: homeserver,
    userId: session.user_id,
    deviceId: session.device_id,
    accessToken: session.access_token,
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const crypto = client.getCrypto();
  client.on(sdk.RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
    if (toStartOfTimeline || event.isEncrypted()) return; // encrypted ones are told once decrypted
    report(event, room).catch((error) => emit({ log: String(error) }));
  });
  client.on(sdk.MatrixEventEvent.Decrypted, (event) => {
    report(event, client.getRoom(event.getRoomId())).catch((error) => emit({ log: String(error) }));
  });
  client.on(sdk.RoomMemberEvent.Membership, (event, member) => {
    if (member.userId === client.getUserId() && member.membership === "invite") {
      client.joinRoom(member.roomId).catch((error) => emit({ log: String(error) }));
    }
  });
  const prepared = new Promise((resolve) => {
    client.on(sdk.ClientEvent.Sync, (state) => {
      if (state === "PREPARED" || state === "SYNCING") resolve();
    });
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
  // As Element does at first login: the resident's own identity, this device signed by it.
  await crypto.bootstrapCrossSigning({
    authUploadDeviceSigningKeys: async (makeRequest) => {
      await makeRequest({ type: "m.login.password", identifier: { type: "m.id.user", user }, password });
    },
  });
  // Element's "exclude insecure devices" (MSC4153).
  crypto.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());

  return {
    user_id: session.user_id,
    device_id: session.device_id,
    cross_signing_ready: await crypto.isCrossSigningReady(),
  };
}

async function waitUntil(check, what, within = 30000) {
  const deadline = Date.now() + within;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openDm({ bot }) {
  const { room_id } = await client.createRoom({
    is_direct: true,
    invite: [bot],
    preset: "trusted_private_chat",
    initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
  });
  await waitUntil(() => client.getRoom(room_id)?.getMember(bot)?.membership === "join", "the bot to join");
  return { room_id };
}

async function send({ room, type, content }) {
  await waitUntil(() => client.getRoom(room), "the room in the sync");
  const { event_id } = await client.sendEvent(room, type, content);
  return { event_id };
}

async function devices({ user }) {
  const crypto = client.getCrypto();
  const map = await crypto.getUserDeviceInfo([user], true);
  const result = [];
  for (const deviceId of (map.get(user) || new Map()).keys()) {
    const status = await crypto.getDeviceVerificationStatus(user, deviceId);
    result.push({ device_id: deviceId, signed_by_owner: Boolean(status && status.signedByOwner) });
  }
  return { devices: result };
}

async function discardSession({ room }) {
  // What Element does when a room's recipients must change at once: the next message starts a
  // new Megolm session, shared with the devices trusted now.
  await client.getCrypto().forceDiscardSession(room);
  return {};
}

const commands = {
  start,
  discard_session: discardSession,
  open_dm: openDm,
  send,
  devices,
  stop: async () => {
    client?.stopClient();
    setTimeout(() => process.exit(0), 50);
    return {};
  },
};

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  const request = JSON.parse(line);
  try {
    const answer = await commands[request.cmd](request);
    emit({ id: request.id, ok: true, ...answer });
  } catch (error) {
    emit({ id: request.id, error: String(error && error.stack ? error.stack : error) });
  }
});
process.stdin.on("end", () => {
  client?.stopClient();
  process.exit(0);
});
