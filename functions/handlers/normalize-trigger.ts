import { normalizeTrigger, type TriggerIntake } from '../core/normalize-trigger';
import type { ClockPort } from '../ports/clock';
import { lambdaHandler, type TaskHandler } from './lambda-handler';

/** First state: the raw event (EventBridge or a direct start) → a trigger, or why it is ignored. */
export function createNormalizeTriggerHandler(deps: { clock: ClockPort }): TaskHandler<TriggerIntake> {
  return async (event) => normalizeTrigger(event, deps.clock.now());
}

export const handler = lambdaHandler('normalize-trigger', {}, ({ deps }) => createNormalizeTriggerHandler(deps));
