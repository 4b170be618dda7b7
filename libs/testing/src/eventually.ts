/** Retries an assertion until it passes or the time is up; the last failure is rethrown. */
export const eventually = async <T>(check: () => Promise<T> | T, timeoutMs = 20000, intervalMs = 100): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
};
