import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import type { Case } from '../../../functions/core/case';
import { updateCaseWithRetry } from '../../../functions/services/update-case';
import { awaitingCase } from '../../support/slack/case-fixture';

/** A memory store that counts reads, so that a test can see which attempts read the case. */
function countingStore() {
  const store = new MemoryCaseStore();
  let reads = 0;
  const get = store.get.bind(store);
  store.get = async (caseId: string) => {
    reads += 1;
    return get(caseId);
  };
  return { store, reads: () => reads };
}

describe('updateCaseWithRetry', () => {
  it('reads the case, applies the change and writes the next version', async () => {
    const { store, reads } = countingStore();
    const c = await store.create(awaitingCase());

    const { case: updated, applied } = await updateCaseWithRetry(store, c.caseId, (x) => ({ ...x, evidenceCount: 3 }));

    expect(applied).toBe(true);
    expect(updated).toMatchObject({ version: c.version + 1, evidenceCount: 3 });
    expect(reads()).toBe(1);
  });

  it('starts from the case the caller just wrote, without reading it', async () => {
    const { store, reads } = countingStore();
    const c = await store.create(awaitingCase());

    const { case: updated } = await updateCaseWithRetry(store, c.caseId, (x) => ({ ...x, evidenceCount: 3 }), c);

    expect(reads()).toBe(0);
    expect(updated).toMatchObject({ version: c.version + 1, evidenceCount: 3 });
  });

  it('reads and applies the change again when the case it was given is behind', async () => {
    // Prepare: another writer moved the case on after the caller's copy.
    const { store, reads } = countingStore();
    const stale = await store.create(awaitingCase());
    await store.update(stale.caseId, stale.version, (x) => ({ ...x, evidenceCount: 5 }));

    // Act
    const { case: updated, applied } = await updateCaseWithRetry(
      store,
      stale.caseId,
      (x): Case | undefined => (x.evidenceCount >= 6 ? undefined : { ...x, evidenceCount: x.evidenceCount + 1 }),
      stale,
    );

    // Assess: the other writer's change is kept, and ours applied on top of it.
    expect(applied).toBe(true);
    expect(reads()).toBe(1);
    expect(updated).toMatchObject({ version: stale.version + 2, evidenceCount: 6 });
  });

  it('reads the case before concluding there is nothing to do on the one it was given', async () => {
    // Prepare: the caller's copy says "done already"; the stored case says otherwise.
    const { store } = countingStore();
    const c = await store.create(awaitingCase());
    const claimsDone = { ...c, evidenceCount: 10 };

    const { case: updated, applied } = await updateCaseWithRetry(
      store,
      c.caseId,
      (x): Case | undefined => (x.evidenceCount >= 10 ? undefined : { ...x, evidenceCount: 10 }),
      claimsDone,
    );

    expect(applied).toBe(true);
    expect(updated.evidenceCount).toBe(10);
    expect((await store.get(c.caseId)).evidenceCount).toBe(10);
  });
});
