// What GET /v1/turn-credentials answers: short-lived TURN REST API credentials for the call-test relay, and its reflector.
import * as v from 'valibot';
import { ReflectorSchema } from './reflection';
import { schemaError } from './schema-error';

/** A TURN/STUN URL on the relay: turn: over UDP or TCP, turns: over TCP (TLS). */
const RelayUriSchema = v.pipe(
  v.string(),
  v.maxLength(300),
  v.regex(/^(turn:[^\s?]+\?transport=(udp|tcp)|turns:[^\s?]+\?transport=tcp)$/, 'a turn:…?transport=udp|tcp or turns:…?transport=tcp URL'),
);

/**
 * The TURN REST API scheme (coturn `use-auth-secret`): `username` is "<unix expiry>:<tag>", the
 * credential the base64 HMAC-SHA1 of the username under the secret the collector shares with the
 * relay. The tag is random per answer, so it links nothing to the person.
 */
export const TurnCredentialsSchema = v.strictObject({
  username: v.pipe(v.string(), v.regex(/^\d{10}:[0-9a-f]{16}$/, 'username is "<unix expiry>:<16 hex digits>"')),
  credential: v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{27}=$/, 'credential is a base64 HMAC-SHA1 (20 bytes)')),
  /** Seconds the credentials stay valid from when they were minted. */
  ttl: v.pipe(v.number(), v.integer(), v.minValue(60), v.maxValue(86_400)),
  uris: v.pipe(v.array(RelayUriSchema), v.minLength(1), v.maxLength(8)),
  /** Where the relay answers STUN Binding on the apps' call ports (empty: no reflection). */
  reflector: ReflectorSchema,
});
export type TurnCredentials = v.InferOutput<typeof TurnCredentialsSchema>;

export type TurnCredentialsResult = { ok: true; credentials: TurnCredentials } | { ok: false; error: string };

export function parseTurnCredentials(data: unknown): TurnCredentialsResult {
  const result = v.safeParse(TurnCredentialsSchema, data);
  if (result.success) return { ok: true, credentials: result.output };
  return { ok: false, error: schemaError('TURN credentials', result.issues) };
}

/** Why the extension has no relay credentials: a closed vocabulary the call test turns into words. */
export type RelayProblem = 'off' | 'collector_unreachable' | 'relay_unavailable' | 'invalid_answer';

export type RelayCredentialsResult = { ok: true; credentials: TurnCredentials } | { ok: false; problem: RelayProblem; detail: string };

/** When credentials stop working, in ms since the epoch, from the expiry the username carries. */
export function credentialsExpireAt(credentials: TurnCredentials): number {
  return Number(credentials.username.slice(0, credentials.username.indexOf(':'))) * 1000;
}

/** Credentials are renewed this long before they expire, so a full call test (≈ 15 s) never runs on stale ones. */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;

/** Whether cached credentials may still be handed out at `nowMs`. */
export function credentialsFresh(credentials: TurnCredentials, nowMs: number): boolean {
  return credentialsExpireAt(credentials) - RENEW_BEFORE_EXPIRY_MS > nowMs;
}
