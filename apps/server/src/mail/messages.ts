// The mails the accounts send: subject, plain text and HTML, each stating its link and how
// long the link works.

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function compose(subject: string, intro: string, action: string, link: string, expiry: string) {
  const ignore = 'If you did not ask for this, ignore this mail: nothing changes.';
  const text = `${intro}\n\n${action}:\n${link}\n\n${expiry}\n\n${ignore}\n`;
  const html =
    `<!doctype html><html><body><p>${escapeHtml(intro)}</p>` +
    `<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>` +
    `<p>Or copy this address into your browser:<br>${escapeHtml(link)}</p>` +
    `<p>${escapeHtml(expiry)}</p><p>${escapeHtml(ignore)}</p></body></html>`;
  return { subject, text, html };
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** The link of a mail: the web app's screen, the token in its `token` query parameter. */
export function mailLink(appUrl: string, screen: string, token: string): string {
  return `${appUrl}/${screen}?token=${encodeURIComponent(token)}`;
}

export function passwordResetMail(link: string, minutes: number): MailContent {
  return compose(
    'Choose a new password',
    'Someone (we hope you) asked to choose a new password for your account.',
    'Choose a new password',
    link,
    `The link works once, for ${plural(minutes, 'minute')}; choosing a new password signs ` +
      'you out everywhere.',
  );
}

export function verificationMail(link: string, hours: number): MailContent {
  return compose(
    'Verify your email address',
    'Please confirm that this email address is yours.',
    'Verify my email address',
    link,
    `The link works once, for ${plural(hours, 'hour')}.`,
  );
}
