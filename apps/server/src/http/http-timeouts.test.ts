import { describe, expect, it } from 'vitest';
import {
  connectionsCheckingInterval,
  DEFAULT_HTTP_TIMEOUTS,
  httpTimeoutsProblem,
} from './http-timeouts.js';

const timeouts = (headersTimeoutMs: number, requestTimeoutMs: number) => ({
  headersTimeoutMs,
  requestTimeoutMs,
  keepAliveTimeoutMs: 5000,
});

describe('httpTimeoutsProblem', () => {
  it('accepts the defaults, equal limits, and 0 (no limit) on either side', () => {
    expect(httpTimeoutsProblem(DEFAULT_HTTP_TIMEOUTS)).toBeUndefined();
    expect(httpTimeoutsProblem(timeouts(30_000, 30_000))).toBeUndefined();
    expect(httpTimeoutsProblem(timeouts(0, 30_000))).toBeUndefined();
    expect(httpTimeoutsProblem(timeouts(60_000, 0))).toBeUndefined();
  });

  it('refuses headers allowed longer than the request, as Node does', () => {
    expect(httpTimeoutsProblem(timeouts(30_001, 30_000))).toMatch(
      /HTTP_HEADERS_TIMEOUT_MS \(30001\) must not exceed HTTP_REQUEST_TIMEOUT_MS \(30000\)/,
    );
  });
});

describe('connectionsCheckingInterval', () => {
  it('is a quarter of the shortest limit, so each holds within 125% of its length', () => {
    expect(connectionsCheckingInterval(DEFAULT_HTTP_TIMEOUTS)).toBe(2500);
    expect(connectionsCheckingInterval(timeouts(0, 8000))).toBe(2000);
  });

  it("is Node's 30 s at most, and never a busy loop", () => {
    expect(connectionsCheckingInterval(timeouts(600_000, 3_600_000))).toBe(30_000);
    expect(connectionsCheckingInterval(timeouts(0, 0))).toBe(30_000);
    expect(connectionsCheckingInterval(timeouts(10, 20))).toBe(25);
  });
});
