/**
 * One step of a browser story. A story is one test: its steps build on each other (the key deleted
 * in one is what the next one checks), so they are not separate `it` blocks that would depend on
 * the order jest runs them in. A failing step names itself in the error, so the report still says
 * which part of the story broke.
 */
export async function step(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Error) {
      const prefix = `[step: ${name}] `;
      if (error.stack?.includes(error.message))
        error.stack = error.stack.replace(error.message, prefix + error.message);
      error.message = prefix + error.message;
    }
    throw error;
  }
}
