import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** loadConfig must throw a ConfigError; returns its message for further checks. */
export function configError(env: NodeJS.ProcessEnv): string {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.name).toBe('ConfigError');
  return error.message;
}
