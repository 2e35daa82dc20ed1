import { api, describeError, errorCode, setUnauthorizedHandler } from './api.js';

export type SessionState = 'checking' | 'signed-out' | 'signed-in' | 'unreachable';

/**
 * Who the browser is to the daemon. The admin token is exchanged once for an httpOnly cookie;
 * what stays in memory is the CSRF token (lost on reload, fetched again from the cookie session).
 */
class Session {
  state = $state<SessionState>('checking');
  /** Why the user is looking at the sign-in form again, if they did not ask for it. */
  notice = $state<string | null>(null);
  problem = $state<string | null>(null);

  /** After a page load: is the cookie still good? */
  async restore(): Promise<void> {
    this.state = 'checking';
    try {
      const info = await api.session();
      api.csrfToken = info.csrfToken;
      this.state = 'signed-in';
    } catch (err) {
      if (errorCode(err) === 'unauthorized') this.signedOut(null);
      else {
        this.problem = describeError(err);
        this.state = 'unreachable';
      }
    }
  }

  /** Exchange the admin token for a session. Returns a message for the form, or null on success. */
  async login(token: string): Promise<string | null> {
    try {
      const info = await api.login(token.trim());
      api.csrfToken = info.csrfToken;
      this.notice = null;
      this.state = 'signed-in';
      return null;
    } catch (err) {
      return loginMessage(err);
    }
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } catch {
      // Signing out locally still matters if the daemon is gone: the cookie dies with it.
    }
    this.signedOut(null);
  }

  /** The daemon stopped accepting our session (expiry, token rotation, sign-out in another tab). */
  ended(reason: string): void {
    if (this.state === 'signed-in') this.signedOut(reason);
  }

  private signedOut(notice: string | null): void {
    api.csrfToken = undefined;
    this.notice = notice;
    this.state = 'signed-out';
  }
}

function loginMessage(err: unknown): string {
  switch (errorCode(err)) {
    case 'unauthorized':
      return 'That token was not accepted. Paste exactly what “ferry key show” prints (the token changes when it is rotated).';
    case 'rate-limited':
      return 'Too many sign-in attempts. Wait a minute, then try again.';
    case 'validation-failed':
      return 'Paste the whole admin token (it cannot be empty or longer than 512 characters).';
    case 'daemon-unreachable':
      return 'Cannot reach the Ferry daemon. Is it still running?';
    default:
      return describeError(err);
  }
}

export const session = new Session();

setUnauthorizedHandler(() => session.ended('Your session ended. Sign in again to continue.'));
