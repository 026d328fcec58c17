import { randomUUID } from 'node:crypto';
import type { Client } from '@enclave/client';
import {
  EMAIL_NOT_VERIFIED_MESSAGE,
  FORGOT_PASSWORD_MESSAGE,
  MAIL_TOKEN_INVALID_MESSAGE,
  MAIL_UNAVAILABLE_MESSAGE,
} from '@enclave/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../test/harness.js';
import { startSmtpSink, tokenIn, type ReceivedMail, type SmtpSink } from '../../test/smtp-sink.js';
import type { Db } from '../db/schema.js';
import { createLogger } from '../logger.js';
import { logDelivery, smtpDelivery } from '../mail/delivery.js';
import { createOutboxSender, type OutboxSender } from '../mail/outbox-sender.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';

let db: Db;
let sink: SmtpSink;
let sender: OutboxSender;
let server: TestServer;
let anonymous: Client;
const senderLogs: Record<string, unknown>[] = [];
const servers: TestServer[] = [];
const senders: OutboxSender[] = [];

const newEmail = () => `mail-${randomUUID()}@example.com`;
const logger = () =>
  createLogger('info', {
    write: (line: string) => {
      senderLogs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });

/** An outbox sender over SMTP to the sink, quick to scan and to retry (as tests want). */
function startSender(): OutboxSender {
  const started = createOutboxSender({
    db,
    delivery: smtpDelivery(sink.url, 'Enclave <no-reply@app.test>'),
    logger: logger(),
    scanIntervalMs: 100,
    retryBaseMs: 50,
    retryMaxMs: 200,
  });
  started.start();
  senders.push(started);
  return started;
}

async function serverWith(options: TestServerOptions = {}): Promise<TestServer> {
  const started = await startTestServer({
    db,
    wakeOutbox: () => sender.wake(),
    ...options,
    mail: { delivery: 'smtp', smtpUrl: sink.url, resendIntervalSeconds: 0, ...options.mail },
  });
  servers.push(started);
  return started;
}

beforeAll(async () => {
  db = await openTestDatabase();
  sink = await startSmtpSink();
  sender = startSender();
  server = await serverWith();
  anonymous = server.clientWithToken(undefined);
});

afterAll(async () => {
  await Promise.all(senders.map((s) => s.stop()));
  await Promise.all(servers.map((s) => s.close()));
  await sink.close();
  await db.destroy();
});

const about = (to: string, subject: string) => (mail: ReceivedMail) =>
  mail.to === to && mail.subject === subject;
const RESET_SUBJECT = 'Choose a new password';
const VERIFY_SUBJECT = 'Verify your email address';

async function register(client = anonymous, email = newEmail()) {
  const reply = await client.auth.register({ body: { email, password: PASSWORD } });
  if (reply.status !== 201) throw new Error(`register answered ${reply.status}`);
  return reply.body;
}

async function resetMail(email: string, client = anonymous) {
  const reply = await client.accountMail.forgotPassword({ body: { email } });
  expect(reply.status).toBe(202);
  const mail = await sink.waitFor(about(email, RESET_SUBJECT));
  sink.mails.splice(sink.mails.indexOf(mail), 1);
  return mail;
}

const outboxOf = (userId: string) =>
  db.selectFrom('mail_outbox').selectAll().where('user_id', '=', userId).execute();

describe('forgotten password', () => {
  it('mails a working link within moments; the link is the web app screen, the token single-use', async () => {
    const account = await register();
    const started = performance.now();
    const reply = await anonymous.accountMail.forgotPassword({ body: { email: account.email } });
    const answered = performance.now() - started;
    expect(reply).toMatchObject({ status: 202, body: { message: FORGOT_PASSWORD_MESSAGE } });
    const mail = await sink.waitFor(about(account.email, RESET_SUBJECT));
    const elapsed = performance.now() - started;
    console.log(
      `forgot → answered ${answered.toFixed(1)} ms, mail received ${elapsed.toFixed(1)} ms`,
    );
    expect(elapsed).toBeLessThan(5_000);

    expect(mail.text).toContain('http://app.test/reset-password?token=');
    expect(mail.text).toMatch(/works once, for 30 minutes/);
    expect(mail.html).toContain('href="http://app.test/reset-password?token=');
    const token = tokenIn(mail, 'reset-password');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    // Only the hash is stored.
    const stored = await db.selectFrom('account_tokens').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(token);

    // A mail scanner opening the link (a GET of the web app) spends nothing.
    const opened = await server.fetch(`/reset-password?token=${token}`, {
      headers: { accept: 'text/html' },
    });
    expect(opened.status).toBeLessThan(500);

    const login = await anonymous.auth.login({
      body: { email: account.email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const reset = await anonymous.accountMail.resetPassword({
      body: { token, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);

    // Signed out everywhere: the session from before the reset cannot refresh.
    if (login.status !== 200) throw new Error('unreachable');
    const refresh = await anonymous.auth.refresh({
      body: { refresh_token: login.body.refresh_token },
    });
    expect(refresh.status).toBe(401);
    const old = await anonymous.auth.login({ body: { email: account.email, password: PASSWORD } });
    expect(old.status).toBe(401);
    const fresh = await anonymous.auth.login({
      body: { email: account.email, password: NEW_PASSWORD },
    });
    expect(fresh.status).toBe(200);

    const again = await anonymous.accountMail.resetPassword({
      body: { token, new_password: 'yet another passphrase' },
    });
    expect(again).toMatchObject({
      status: 400,
      body: { error: 'Bad Request', message: MAIL_TOKEN_INVALID_MESSAGE, status_code: 400 },
    });
  });

  it('refuses an expired token, an unknown one, and an older one once a newer exists', async () => {
    const account = await register();
    const first = tokenIn(await resetMail(account.email), 'reset-password');
    const second = tokenIn(await resetMail(account.email), 'reset-password');
    const older = await anonymous.accountMail.resetPassword({
      body: { token: first, new_password: NEW_PASSWORD },
    });
    expect(older.status).toBe(400);

    await db
      .updateTable('account_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('user_id', '=', account.id)
      .execute();
    const expired = await anonymous.accountMail.resetPassword({
      body: { token: second, new_password: NEW_PASSWORD },
    });
    expect(expired).toMatchObject({ status: 400, body: { message: MAIL_TOKEN_INVALID_MESSAGE } });

    const unknown = await anonymous.accountMail.resetPassword({
      body: { token: 'A'.repeat(43), new_password: NEW_PASSWORD },
    });
    expect(unknown).toMatchObject({ status: 400, body: { status_code: 400 } });
    // The password is unchanged.
    const login = await anonymous.auth.login({
      body: { email: account.email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it('answers an unknown email exactly as a known one, sends it nothing, in similar time', async () => {
    const account = await register();
    const unknown = newEmail();
    const answer = await anonymous.accountMail.forgotPassword({ body: { email: unknown } });
    const known = await anonymous.accountMail.forgotPassword({ body: { email: account.email } });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual(known.body);
    await sink.waitFor(about(account.email, RESET_SUBJECT));
    await sender.idle();
    expect(sink.mails.filter((mail) => mail.to === unknown)).toEqual([]);

    // Timing: the median of 10 of each, interleaved. Reported, bounded only loosely (a shared
    // machine's noise is larger than the difference being looked for).
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 10; i += 1) {
      for (const kind of ['known', 'unknown'] as const) {
        const email = kind === 'known' ? account.email : newEmail();
        const started = performance.now();
        await anonymous.accountMail.forgotPassword({ body: { email } });
        times[kind].push(performance.now() - started);
      }
    }
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `forgot median: known ${median(times.known).toFixed(2)} ms, unknown ${median(times.unknown).toFixed(2)} ms`,
    );
    expect(Math.abs(median(times.known) - median(times.unknown))).toBeLessThan(100);
    // Both wait out the floor that hides the known email's extra work.
    expect(Math.min(...times.known, ...times.unknown)).toBeGreaterThanOrEqual(245);
  });

  it('sends at most one reset mail a minute per account by default, answering alike', async () => {
    const throttled = await serverWith({ mail: { resendIntervalSeconds: 60 } });
    const client = throttled.clientWithToken(undefined);
    const account = await register(client);
    for (let i = 0; i < 3; i += 1) {
      const reply = await client.accountMail.forgotPassword({ body: { email: account.email } });
      expect(reply).toMatchObject({ status: 202, body: { message: FORGOT_PASSWORD_MESSAGE } });
    }
    await sink.waitFor(about(account.email, RESET_SUBJECT));
    await sender.idle();
    const resets = (await outboxOf(account.id)).filter((row) => row.kind === 'password_reset');
    expect(resets).toHaveLength(1);
  });
});

describe('email verification', () => {
  it('mails a link on registering; verifying sets email_verified once', async () => {
    const account = await register();
    expect(account.email_verified).toBe(false);
    const mail = await sink.waitFor(about(account.email, VERIFY_SUBJECT));
    expect(mail.text).toContain('http://app.test/verify-email?token=');
    expect(mail.text).toMatch(/works once, for 48 hours/);
    const token = tokenIn(mail, 'verify-email');
    const client = server.clientFor(account.id);
    expect((await client.auth.me()).body).toMatchObject({ email_verified: false });
    expect((await anonymous.accountMail.verifyEmail({ body: { token } })).status).toBe(204);
    expect((await client.auth.me()).body).toMatchObject({ email_verified: true });
    const again = await anonymous.accountMail.verifyEmail({ body: { token } });
    expect(again).toMatchObject({ status: 400, body: { message: MAIL_TOKEN_INVALID_MESSAGE } });
    // A reset token is no verification token, nor the reverse.
    const resetToken = tokenIn(await resetMail(account.email), 'reset-password');
    expect((await anonymous.accountMail.verifyEmail({ body: { token: resetToken } })).status).toBe(
      400,
    );
    // Verified already: nothing to send.
    const resend = await client.accountMail.sendVerification({ body: {} });
    expect(resend.status).toBe(409);
  });

  it('sends a new link on request (bearer only), throttled per account, the old one dead', async () => {
    const throttled = await serverWith({ mail: { resendIntervalSeconds: 60 } });
    const account = await register(throttled.clientWithToken(undefined));
    const first = tokenIn(await sink.waitFor(about(account.email, VERIFY_SUBJECT)), 'verify-email');
    const unsigned = await throttled
      .clientWithToken(undefined)
      .accountMail.sendVerification({ body: {} });
    expect(unsigned.status).toBe(401);
    const client = throttled.clientFor(account.id);
    const soon = await client.accountMail.sendVerification({ body: {} });
    expect(soon.status).toBe(429);
    expect(soon.body).toMatchObject({ error: 'Too Many Requests', status_code: 429 });
    expect(Number(soon.headers.get('retry-after'))).toBeGreaterThan(50);

    // Once the minute has passed (moved back in the database rather than waited for).
    await db
      .updateTable('account_tokens')
      .set({ created_at: sql<Date>`now() - interval '2 minutes'` } as never)
      .where('user_id', '=', account.id)
      .execute();
    const resend = await client.accountMail.sendVerification({ body: {} });
    expect(resend.status).toBe(202);
    const mails = () => sink.mails.filter(about(account.email, VERIFY_SUBJECT));
    await expect.poll(() => mails().length, { timeout: 10_000 }).toBe(2);
    const second = tokenIn(mails()[1]!, 'verify-email');
    expect(second).not.toBe(first);
    expect((await anonymous.accountMail.verifyEmail({ body: { token: first } })).status).toBe(400);
    expect((await anonymous.accountMail.verifyEmail({ body: { token: second } })).status).toBe(204);
  });

  it('REQUIRE_VERIFIED_EMAIL=on: the right password answers 403 saying why, until verified', async () => {
    const strict = await serverWith({ mail: { requireVerifiedEmail: true } });
    const client = strict.clientWithToken(undefined);
    const account = await register(client);
    const token = tokenIn(await sink.waitFor(about(account.email, VERIFY_SUBJECT)), 'verify-email');
    const wrong = await client.auth.login({
      body: { email: account.email, password: 'wrong password!' },
    });
    expect(wrong.status).toBe(401);
    const refused = await client.auth.login({ body: { email: account.email, password: PASSWORD } });
    expect(refused).toMatchObject({
      status: 403,
      body: { error: 'Forbidden', message: EMAIL_NOT_VERIFIED_MESSAGE, status_code: 403 },
    });
    // The owner cannot ask for a link with a token, so the refusal sent a new one.
    const mails = () => sink.mails.filter(about(account.email, VERIFY_SUBJECT));
    await expect.poll(() => mails().length, { timeout: 10_000 }).toBe(2);
    expect((await client.accountMail.verifyEmail({ body: { token } })).status).toBe(400);
    const newest = tokenIn(mails()[1]!, 'verify-email');
    expect((await client.accountMail.verifyEmail({ body: { token: newest } })).status).toBe(204);
    const login = await client.auth.login({ body: { email: account.email, password: PASSWORD } });
    expect(login.status).toBe(200);
  });
});

describe('the outbox', () => {
  it('delivers a mail committed while no sender ran (a crash between commit and send)', async () => {
    const crashed = await serverWith({ wakeOutbox: () => {} });
    const client = crashed.clientWithToken(undefined);
    // No sender of this test's is scanning: the mail waits in the outbox.
    await Promise.all(senders.map((s) => s.stop()));
    const account = await register(client);
    await client.accountMail.forgotPassword({ body: { email: account.email } });
    const pending = await outboxOf(account.id);
    expect(pending.map((row) => row.sent_at)).toEqual([null, null]);
    sender = startSender();
    const mail = await sink.waitFor(about(account.email, RESET_SUBJECT));
    expect(tokenIn(mail, 'reset-password')).toBeTruthy();
    await sink.waitFor(about(account.email, VERIFY_SUBJECT));
    await sender.idle();
    const sent = await outboxOf(account.id);
    expect(sent.every((row) => row.sent_at !== null && row.text_body === null)).toBe(true);
  });

  it('retries while the SMTP server is down and delivers once it is back', async () => {
    const account = await register();
    await sink.waitFor(about(account.email, VERIFY_SUBJECT));
    sink.setDown(true);
    try {
      await anonymous.accountMail.forgotPassword({ body: { email: account.email } });
      await expect
        .poll(
          async () =>
            (await outboxOf(account.id)).find((row) => row.kind === 'password_reset')?.attempts ??
            0,
          { timeout: 10_000 },
        )
        .toBeGreaterThanOrEqual(2);
      const [failing] = (await outboxOf(account.id)).filter((row) => row.kind === 'password_reset');
      expect(failing?.sent_at).toBeNull();
      expect(failing?.last_error).toMatch(/421|Service not available/);
    } finally {
      sink.setDown(false);
    }
    await sink.waitFor(about(account.email, RESET_SUBJECT));
    const failures = senderLogs.filter((line) => line.event === 'mail_failed');
    expect(failures.length).toBeGreaterThan(0);
  });

  it('delivers each mail once with two senders on one database', async () => {
    const second = startSender();
    const accounts = await Promise.all(Array.from({ length: 8 }, () => register()));
    sender.wake();
    second.wake();
    for (const account of accounts) await sink.waitFor(about(account.email, VERIFY_SUBJECT));
    await Promise.all([sender.idle(), second.idle()]);
    for (const account of accounts) {
      expect(sink.mails.filter(about(account.email, VERIFY_SUBJECT))).toHaveLength(1);
    }
  });
});

describe('without mail (production without SMTP_URL)', () => {
  it('answers 503 where a mail is needed, and still registers', async () => {
    const off = await serverWith({ mail: { delivery: 'off', smtpUrl: undefined } });
    const client = off.clientWithToken(undefined);
    const account = await register(client);
    const forgot = await client.accountMail.forgotPassword({ body: { email: account.email } });
    expect(forgot).toMatchObject({
      status: 503,
      body: { error: 'Service Unavailable', message: MAIL_UNAVAILABLE_MESSAGE, status_code: 503 },
    });
    const resend = await off.clientFor(account.id).accountMail.sendVerification({ body: {} });
    expect(resend.status).toBe(503);
    expect(await outboxOf(account.id)).toEqual([]);
  });
});

describe('development without SMTP_URL', () => {
  it('writes each mail to the log, link included, so no mail server is needed', async () => {
    const devLogs: Record<string, unknown>[] = [];
    const devLogger = createLogger('info', {
      write: (line: string) => {
        devLogs.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    // The SMTP senders stop, so the log's sender is the one that takes the mail.
    await Promise.all(senders.map((s) => s.stop()));
    const logSender = createOutboxSender({
      db,
      delivery: logDelivery(devLogger),
      logger: devLogger,
    });
    const dev = await serverWith({
      mail: { delivery: 'log', smtpUrl: undefined },
      wakeOutbox: () => logSender.wake(),
    });
    try {
      const client = dev.clientWithToken(undefined);
      const account = await register(client);
      await client.accountMail.forgotPassword({ body: { email: account.email } });
      logSender.wake();
      await expect
        .poll(() =>
          devLogs.filter((line) => line.event === 'mail_logged' && line.user_id === account.id),
        )
        .toHaveLength(2);
      const reset = devLogs.find(
        (line) => line.user_id === account.id && line.kind === 'password_reset',
      );
      expect(reset).toMatchObject({ to: account.email, subject: RESET_SUBJECT });
      const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(String(reset?.text))?.[1];
      const done = await client.accountMail.resetPassword({
        body: { token: token ?? '', new_password: NEW_PASSWORD },
      });
      expect(done.status).toBe(204);
    } finally {
      await logSender.stop();
      sender = startSender();
    }
  });
});

describe('logs', () => {
  it('hold no token, password or SMTP password', () => {
    const secrets = [sink.password, PASSWORD, NEW_PASSWORD];
    const tokens = sink.mails.flatMap((mail) =>
      [...mail.text.matchAll(/token=([A-Za-z0-9_-]+)/g)].map((match) => match[1]!),
    );
    expect(tokens.length).toBeGreaterThan(5);
    const lines = [...servers.flatMap((s) => s.logs), ...senderLogs].map((line) =>
      JSON.stringify(line),
    );
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [...secrets, ...tokens]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
    expect(lines.some((line) => line.includes(sink.url))).toBe(false);
  });
});
