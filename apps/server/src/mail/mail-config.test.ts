import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { mailStartMessage } from './mail-config.js';

const SECRET = 'k3Jq9vX2mP8wL5tR7yB4nC6zD1fG0hS-AeIoU';
const production = { NODE_ENV: 'production', JWT_SECRET: SECRET } as const;
const SMTP_URL = 'smtps://mailer:Sm7p-pa55word@smtp.example.com:465';

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('mail settings', () => {
  it('write mails to the log in development, linking to the server itself', () => {
    const { mail } = loadConfig({ PORT: '4000' });
    expect(mail).toMatchObject({
      delivery: 'log',
      appUrl: 'http://127.0.0.1:4000',
      from: 'Enclave <no-reply@127.0.0.1>',
      passwordResetMinutes: 30,
      requireVerifiedEmail: false,
    });
    expect(loadConfig({ HOST: '0.0.0.0', JWT_SECRET: SECRET }).mail.appUrl).toBe(
      'http://localhost:3000',
    );
    expect(mailStartMessage(mail)).toMatch(/written to the log/);
  });

  it('send nothing in production without SMTP_URL, and the start message says what is off', () => {
    const { mail, warnings } = loadConfig(production);
    expect(mail.delivery).toBe('off');
    expect(warnings).toEqual([]);
    expect(mailStartMessage(mail)).toMatch(/answer 503/);
  });

  it('send through SMTP_URL, naming only its host', () => {
    const { mail } = loadConfig({ ...production, SMTP_URL, APP_URL: 'https://app.example.com' });
    expect(mail).toMatchObject({ delivery: 'smtp', smtpHost: 'smtp.example.com' });
    expect(mailStartMessage(mail)).toBe('mail is sent through SMTP (smtp.example.com)');
  });

  it('refuse what cannot work, without echoing the SMTP password', () => {
    expect(refusal({ ...production, SMTP_URL })).toMatch(/APP_URL must be set/);
    expect(refusal({ ...production, REQUIRE_VERIFIED_EMAIL: 'on' })).toMatch(
      /REQUIRE_VERIFIED_EMAIL=on needs SMTP_URL/,
    );
    const wrongScheme = refusal({ SMTP_URL: 'http://mailer:Sm7p-pa55word@smtp.example.com' });
    expect(wrongScheme).toMatch(/SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(wrongScheme).not.toContain('Sm7p-pa55word');
    expect(refusal({ APP_URL: 'app.example.com' })).toMatch(/APP_URL must be an http/);
    expect(refusal({ PASSWORD_RESET_MINUTES: '2' })).toMatch(/PASSWORD_RESET_MINUTES/);
  });
});
