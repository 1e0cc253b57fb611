import * as z from '../core/zod-mini';
import { CASE_ID_PATTERN } from '../core/case';
import { InvalidInputError } from '../core/errors';

const isoDate = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date'));

export const caseIdSchema = z
  .string()
  .check(z.regex(CASE_ID_PATTERN, 'a case id such as RK-123456789012-20260101000000-ab12'));
export const accountIdSchema = z.string().check(z.regex(/^\d{12}$/, 'an account id is 12 digits'));

/** A normalized trigger (core/trigger.ts) as the state machine carries it between states. */
export const triggerSchema = z.strictObject({
  source: z.enum(['security-hub', 'cloudtrail', 'schedule', 'sweep', 'manual', 'acceptance-expired']),
  accountId: accountIdSchema,
  detectedAt: isoDate,
  finding: z.optional(
    z.strictObject({
      id: z.string().check(z.minLength(1)),
      productArn: z.string().check(z.minLength(1)),
      region: z.optional(z.string()),
    }),
  ),
  eventId: z.optional(z.string()),
  requestedBy: z.optional(z.string()),
  known: z.optional(
    z.strictObject({
      account: z.strictObject({ name: z.string(), isManagement: z.boolean() }),
      features: z.strictObject({ rootCredentialsManagement: z.boolean(), rootSessions: z.boolean() }),
    }),
  ),
});

/** Input that only names the case. */
export const caseInputSchema = z.looseObject({ caseId: caseIdSchema });

/**
 * Parses a task's input at the edge. The state machine builds these payloads, but a hand-started
 * execution, an edited definition or the sandbox can send anything: a clear error, nothing changed.
 */
export function parseTaskInput<T extends z.ZodMiniType>(schema: T, event: unknown, task: string): z.infer<T> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
  throw new InvalidInputError(`Invalid input for ${task}: ${issues.join('; ')}`, issues);
}
