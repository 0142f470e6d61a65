/**
 * The second-factor service (README, "Second factor"): enrolling and confirming TOTP, recovery
 * codes, and checking a code at the second step of a login — each accepted TOTP step and each
 * recovery code used once, on every instance sharing the store, and every wrong code counted by
 * the same per-actor lockout as wrong passwords.
 */
import type { Actor } from '../actor';
import { GatehouseError } from '../errors';
import type { Lockout } from '../passwords/lockout';
import type { SecondFactorRecord, SecondFactorStore } from '../store/types';
import { ChallengeTickets } from './challenge-ticket';
import type { ResolvedSecondFactorOptions } from './options';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes';
import { SecretBox } from './secret-box';
import { matchTotpStep, newTotpSecret, totpStepAcceptedUntil, totpUri } from './totp';

/** The id of an actor's one TOTP factor. */
const TOTP_ID = 'totp';

/** What a pending TOTP enrolment shows once: the secret and the URI for the authenticator app. */
export interface TotpEnrolment {
  /** The shared secret, base32 (for typing into an app by hand). */
  secret: string;
  /** The `otpauth://totp/…` URI (for a QR code). */
  uri: string;
}

/** Which factor a code passed. */
export type PassedFactor = 'totp' | 'recovery';

/** Dependencies of {@link SecondFactors}. */
export interface SecondFactorsDependencies {
  /** A guarded store with the second-factor methods. */
  store: Required<SecondFactorStore>;
  options: ResolvedSecondFactorOptions;
  /** The lockout shared with passwords; `false` when off. */
  lockout: Lockout | false;
  now: () => number;
}

/** Second factors of one `gatehouse()` instance. */
export class SecondFactors {
  /** The 401.5 challenge tickets. */
  readonly tickets: ChallengeTickets;
  private readonly box: SecretBox;
  private readonly store: SecondFactorsDependencies['store'];
  private readonly lockout: Lockout | false;
  private readonly now: () => number;
  private readonly issuer: string;

  constructor(dependencies: SecondFactorsDependencies) {
    this.store = dependencies.store;
    this.lockout = dependencies.lockout && dependencies.lockout.enabled ? dependencies.lockout : false;
    this.now = dependencies.now;
    this.issuer = dependencies.options.issuer;
    this.box = new SecretBox(dependencies.options.keys);
    this.tickets = new ChallengeTickets({ keys: dependencies.options.keys, ttl: dependencies.options.ticketTtl, now: dependencies.now });
  }

  /** The kinds of the actor's confirmed factors (`['totp']`), `[]` when it has none: a login then needs no second step. */
  async enrolledKinds(actorId: string): Promise<string[]> {
    const factors = await this.store.findSecondFactors(actorId);
    return [...new Set(factors.filter((factor) => factor.confirmedAt !== null).map((factor) => factor.kind))];
  }

  /**
   * Starts a TOTP enrolment: a new secret, stored sealed and unconfirmed (a login asks for no
   * code until it is confirmed). Refused (403.1) while a confirmed one exists: disable it first.
   */
  async beginTotp(actor: Actor): Promise<TotpEnrolment> {
    const existing = await this.totpFactor(actor.id);
    if (existing?.confirmedAt != null) throw new GatehouseError('403.1', { detail: 'A TOTP factor is already enrolled; disable it first.' });
    const secret = newTotpSecret();
    await this.store.saveSecondFactor({ actorId: actor.id, id: TOTP_ID, kind: 'totp', secret: this.box.seal(secret, boxContext(actor.id, TOTP_ID)), createdAt: this.now(), confirmedAt: null });
    return { secret, uri: totpUri(secret, this.issuer, actor.displayName ?? actor.id) };
  }

  /**
   * Confirms a pending enrolment with a first valid code (spent, so it cannot also answer a
   * login) and resolves to the ten recovery codes, shown this once. 400.1 naming `code` when
   * the code does not match; 403.1 when there is no pending enrolment.
   */
  async confirmTotp(actorId: string, code: string): Promise<string[]> {
    const factor = await this.totpFactor(actorId);
    if (!factor || factor.confirmedAt !== null) throw new GatehouseError('403.1', { detail: 'There is no TOTP enrolment waiting for confirmation.' });
    const now = this.now();
    const step = matchTotpStep(this.openSecret(factor), code, now);
    if (step === null || !(await this.store.markOneTimeUse(actorId, `totp:${step}`, totpStepAcceptedUntil(step), now))) {
      throw new GatehouseError('400.1', { detail: 'code does not match the new secret; check the time on the device and try again.' });
    }
    await this.store.saveSecondFactor({ ...factor, confirmedAt: now });
    return this.regenerateRecoveryCodes(actorId);
  }

  /** Removes the actor's TOTP factor and recovery codes; resolves to whether there was one. */
  async disableTotp(actorId: string): Promise<boolean> {
    const removed = await this.store.deleteSecondFactor(actorId, TOTP_ID);
    // Recovery codes stand in for a factor: with none left, they go too.
    if ((await this.enrolledKinds(actorId)).length === 0) await this.store.saveRecoveryCodes(actorId, []);
    return removed;
  }

  /** Ten new recovery codes in place of the old ones, shown this once. */
  async regenerateRecoveryCodes(actorId: string): Promise<string[]> {
    const { codes, hashes } = newRecoveryCodes();
    await this.store.saveRecoveryCodes(actorId, hashes);
    return codes;
  }

  /** How many recovery codes the actor has left. */
  recoveryCodesLeft(actorId: string): Promise<number> {
    return this.store.countRecoveryCodes(actorId);
  }

  /**
   * Checks a code of the second step: a TOTP code (six digits) or a recovery code. The lockout
   * is read first (403.2 while locked) and the attempt counted before the code is checked, as a
   * password's is; a right code clears the counter and resolves to the factor it passed and the
   * failures cleared (this attempt's own and the password's reservation not included). A wrong,
   * replayed or used-up code is 401.2.
   */
  async check(actorId: string, code: string, clientIp: string | undefined): Promise<{ factor: PassedFactor; cleared: number }> {
    const lockout = this.lockout;
    const byIp = lockout && lockout.options !== false && lockout.options.by === 'login+ip';
    const key = lockout ? lockout.keyForActor(actorId, byIp ? clientIp : undefined) : '';
    const accountKey = lockout ? lockout.accountKeyForActor(actorId) : null;
    if (lockout) {
      await lockout.check(key, accountKey);
      await lockout.reserve(key, accountKey);
    }
    const factor = await this.passes(actorId, code);
    if (!factor) throw new GatehouseError('401.2');
    const cleared = lockout ? await lockout.recordSuccess(key, accountKey) : 0;
    return { factor, cleared };
  }

  private async passes(actorId: string, code: string): Promise<PassedFactor | null> {
    if (/^[0-9]{6}$/.test(code)) {
      const factor = await this.totpFactor(actorId);
      if (!factor || factor.confirmedAt === null) return null;
      const now = this.now();
      const step = matchTotpStep(this.openSecret(factor), code, now);
      // Each step is accepted once, on every instance: a code seen over a shoulder or in a log is spent.
      if (step === null || !(await this.store.markOneTimeUse(actorId, `totp:${step}`, totpStepAcceptedUntil(step), now))) return null;
      return 'totp';
    }
    const recovery = normalizeRecoveryCode(code);
    if (recovery === null) return null;
    // Recovery codes stand in for a confirmed factor only.
    if ((await this.enrolledKinds(actorId)).length === 0) return null;
    return (await this.store.consumeRecoveryCode(actorId, recoveryCodeHash(recovery))) ? 'recovery' : null;
  }

  private async totpFactor(actorId: string): Promise<SecondFactorRecord | undefined> {
    return (await this.store.findSecondFactors(actorId)).find((factor) => factor.id === TOTP_ID && factor.kind === 'totp');
  }

  /** The plaintext secret; a secret no configured key opens fails closed (503.1), never as a wrong code that would lock the actor out unnoticed. */
  private openSecret(factor: SecondFactorRecord): string {
    const secret = this.box.open(factor.secret, boxContext(factor.actorId, factor.id));
    if (secret === null) {
      throw new GatehouseError('503.1', { cause: new Error(`the TOTP secret of actor ${factor.actorId} opens with none of secondFactor.encryptionKeys (a key removed too early, or the stored value altered)`) });
    }
    return secret;
  }
}

/** The additional data a secret is sealed with: its actor and factor. */
function boxContext(actorId: string, factorId: string): string {
  return `gatehouse second factor\n${actorId}\n${factorId}`;
}
