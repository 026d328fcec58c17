import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the sink received and parsed it. */
export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: number;
}

export interface SmtpSink {
  /** `smtp://user:password@127.0.0.1:<port>`: what SMTP_URL would be. */
  url: string;
  /** The credentials the sink demands. */
  user: string;
  password: string;
  mails: ReceivedMail[];
  /** Resolves with the first mail (received or to come) that `matches`, or rejects after `timeoutMs`. */
  waitFor(matches: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** While down, every connection is refused at the greeting (421), as a server that is away. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const addressOf = (parsed: ParsedMail) => {
  const to = parsed.to;
  const first = Array.isArray(to) ? to[0] : to;
  return first?.value[0]?.address ?? '';
};

/** A real SMTP server in this process (smtp-server), parsing what arrives (mailparser). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const user = 'mailer';
  const password = `smtp-pw-${Math.random().toString(36).slice(2)}`;
  const mails: ReceivedMail[] = [];
  const waiters: {
    matches: (mail: ReceivedMail) => boolean;
    resolve: (mail: ReceivedMail) => void;
  }[] = [];
  let down = false;
  const server = new SMTPServer({
    // Plain SMTP on loopback: nodemailer would otherwise upgrade to TLS with a certificate of
    // the sink's own making, which it rightly refuses.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    // A reverse DNS lookup of 127.0.0.1 per connection would time the resolver, not the mail.
    disableReverseLookup: true,
    onConnect(_session, callback) {
      if (down) {
        const refused = Object.assign(new Error('Service not available'), { responseCode: 421 });
        callback(refused);
        return;
      }
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) {
        callback(null, { user });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const mail: ReceivedMail = {
            to: addressOf(parsed),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            receivedAt: Date.now(),
          };
          mails.push(mail);
          for (const waiter of waiters.filter((w) => w.matches(mail))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(mail);
          }
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${user}:${password}@127.0.0.1:${port}`,
    user,
    password,
    mails,
    waitFor(matches, timeoutMs = 10_000) {
      const already = mails.find(matches);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no such mail within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          matches,
          resolve: (mail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        });
      });
    },
    setDown(value) {
      down = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of a mail's link to `screen` (`reset-password`, `verify-email`). */
export function tokenIn(mail: ReceivedMail, screen: string): string {
  const match = new RegExp(`/${screen}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (match?.[1] === undefined) throw new Error(`no ${screen} link in the mail`);
  return decodeURIComponent(match[1]);
}
