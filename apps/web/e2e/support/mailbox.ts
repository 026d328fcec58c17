import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { mailboxFolder } from './environment';

// A real SMTP server in the test run's own process (global-setup.ts), which the API server
// sends its mail to (SMTP_URL). Each mail lands in a folder as a file named by its recipient,
// so the tests, in their worker processes, read what a person would find in their inbox.

export interface Mailbox {
  /** `smtp://127.0.0.1:<port>`, for the API server's SMTP_URL. */
  url: string;
  folder: string;
  stop: () => Promise<void>;
}

const fileOf = (recipient: string) => encodeURIComponent(recipient.toLowerCase());

export async function startMailbox(): Promise<Mailbox> {
  const folder = mkdtempSync(join(tmpdir(), 'enclave-e2e-mail-'));
  let serial = 0;
  const server = new SMTPServer({
    // Plain and unauthenticated on the loopback: what a local test relay (Mailpit, MailHog) is.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        serial += 1;
        for (const { address } of session.envelope.rcptTo) {
          const name = `${fileOf(address)}--${Date.now()}-${String(serial).padStart(6, '0')}.eml`;
          // Written whole, then renamed: a reader never sees half a mail.
          writeFileSync(join(folder, `${name}.part`), raw);
          renameSync(join(folder, `${name}.part`), join(folder, name));
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    folder,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A mail as it arrived: parsed, and when (the file's time). */
export interface ReceivedMail {
  mail: ParsedMail;
  receivedAt: number;
}

/** The mails `recipient` has received so far, oldest first. */
export async function inbox(recipient: string): Promise<ReceivedMail[]> {
  const folder = mailboxFolder();
  const prefix = `${fileOf(recipient)}--`;
  const names = readdirSync(folder)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.eml'))
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const path = join(folder, name);
      return { mail: await simpleParser(readFileSync(path)), receivedAt: statSync(path).mtimeMs };
    }),
  );
}

/**
 * Waits for a mail to `recipient` holding a link to `path` (e.g. `/reset-password`), after
 * the `seen` mails it already had, and answers the link and the mail.
 */
export async function waitForLink(
  recipient: string,
  path: string,
  { seen = 0, timeoutMs = 15_000 }: { seen?: number; timeoutMs?: number } = {},
): Promise<{ link: URL; received: ReceivedMail }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await inbox(recipient)).slice(seen);
    for (const received of mails.reverse()) {
      const link = linkIn(received.mail, path);
      if (link !== undefined) return { link, received };
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${recipient} with a ${path} link`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first link to `path` in a mail's text part. */
export function linkIn(mail: ParsedMail, path: string): URL | undefined {
  const text = mail.text ?? '';
  const found = text.match(/https?:\/\/[^\s<>"')]+/g) ?? [];
  const link = found
    .map((candidate) => new URL(candidate))
    .find((url) => url.pathname.endsWith(path));
  return link;
}
