import { WORKFLOW_ENV } from '../core/shared-names';
import { DEFAULT_SETTINGS, type WorkflowSettings } from '../services/dependencies';
import { intEnv, optionalEnv } from './env';

export { WORKFLOW_ENV };

export type Env = Record<string, string | undefined>;

/** The decision settings from env, defaults from `DEFAULT_SETTINGS`. */
export function workflowSettingsFromEnv(env: Env): WorkflowSettings {
  const readRoleName = optionalEnv(env, WORKFLOW_ENV.readRoleName);
  return {
    requiredApprovals: Math.max(1, intEnv(env, WORKFLOW_ENV.requiredApprovals, DEFAULT_SETTINGS.requiredApprovals)),
    maxReminders: intEnv(env, WORKFLOW_ENV.maxReminders, DEFAULT_SETTINGS.maxReminders),
    verification: {
      maxAttempts: Math.max(1, intEnv(env, WORKFLOW_ENV.verifyMaxAttempts, DEFAULT_SETTINGS.verification.maxAttempts)),
      initialWaitSeconds: intEnv(env, WORKFLOW_ENV.verifyInitialWait, DEFAULT_SETTINGS.verification.initialWaitSeconds),
      maxWaitSeconds: intEnv(env, WORKFLOW_ENV.verifyMaxWait, DEFAULT_SETTINGS.verification.maxWaitSeconds),
    },
    ...(readRoleName ? { readRoleName } : {}),
  };
}

/**
 * A port whose adapter is built on first use. Functions that never notify never fetch the Slack
 * secret (and their role is not allowed to); the ones that do fetch it once per container.
 */
export function lazyPort<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  const get = (): Promise<T> => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  return new Proxy({} as T, {
    get:
      (_target, property) =>
      async (...args: unknown[]) => {
        const port = await get();
        const method = (port as Record<PropertyKey, unknown>)[property];
        if (typeof method !== 'function') throw new TypeError(`${String(property)} is not a method of the port`);
        return (method as (...a: unknown[]) => unknown).apply(port, args);
      },
  });
}
