/** The error a call rejects with; fails the test when the call resolves instead. */
export async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the call resolved");
}
