import type { Account } from '../../functions/core/account';
import { decidePosture, type AccountPosture } from '../../functions/core/account-posture';
import type { SimulatedOrganization } from '../../functions/adapters/sim/simulated-organization';
import { mapWithConcurrency } from '../../functions/services/map-with-concurrency';

export interface CredentialReportScanOptions {
  roleName: string;
  concurrency: number;
  /** Wait between GenerateCredentialReport calls while the report is not COMPLETE. */
  pollIntervalMs: number;
  /** Polls before giving up on one account. */
  maxPolls: number;
  sleep: (ms: number) => Promise<void>;
  /** Runs each account's read (the harness passes the same paced, retrying runner the scanner gets). */
  run: <T>(job: () => Promise<T>) => Promise<T>;
}

export type CredentialReportScanResult =
  { account: Account; posture: AccountPosture } | { account: Account; error: Error };

/**
 * The obvious alternative to `rootkey scan`: what a script built on the credential report does.
 * For every account it assumes a read role, calls GenerateCredentialReport until it says COMPLETE
 * (polling) and reads the root user's row from GetCredentialReport. It needs no centralized root
 * access, but costs more calls and seconds per account, sees no key ids, and the report may be
 * up to four hours old. Runs against the simulated organization's raw IAM/STS calls.
 */
export async function scanWithCredentialReports(
  sim: SimulatedOrganization,
  options: CredentialReportScanOptions,
): Promise<CredentialReportScanResult[]> {
  const features = await sim.rootAccessFeatures();
  const accounts = await sim.listAccounts();
  return mapWithConcurrency(accounts, options.concurrency, async (account): Promise<CredentialReportScanResult> => {
    try {
      const posture = await options.run(async () => {
        await sim.assumeRole(account.id, options.roleName);
        for (let poll = 0; (await sim.generateCredentialReport(account.id)) !== 'COMPLETE'; poll++) {
          if (poll >= options.maxPolls) throw new Error(`credential report of ${account.id} not ready in time`);
          await options.sleep(options.pollIntervalMs);
        }
        const report = await sim.getCredentialReport(account.id);
        return decidePosture(
          account,
          {
            accountId: account.id,
            method: 'read-only-role',
            signals: { credentialReport: report },
            readAt: report.generatedAt,
          },
          features,
        );
      });
      return { account, posture };
    } catch (error) {
      return { account, error: error as Error };
    }
  });
}
