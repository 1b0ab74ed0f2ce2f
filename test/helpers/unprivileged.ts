import { chmod, chown, readdir } from "node:fs/promises";
import path from "node:path";

/**
 * Root writes and removes through any permission bits, so tests of "cannot write here" run `cf` as
 * the user nobody when they themselves run as root: `dir` (and everything in it) is handed to nobody
 * and the returned options make the child run as nobody. As any other user they change nothing.
 */

export const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/** Hand `dir`'s tree to the user the CLI will run as; the uid/gid options for runCli. */
export async function unprivilegedUser(dir: string): Promise<{ uid?: number; gid?: number }> {
  if (!IS_ROOT) return {};
  await chmod(dir, 0o755);
  await chown(dir, NOBODY, NOBODY);
  for (const entry of await readdir(dir, { recursive: true })) {
    await chown(path.join(dir, entry), NOBODY, NOBODY);
  }
  return { uid: NOBODY, gid: NOBODY };
}

/**
 * Make `dir` a directory whose entries the CLI's user cannot remove or add to: owned by root with
 * mode 755 when the tests run as root (the CLI then runs as nobody), else mode 555.
 */
export async function lockDown(dir: string): Promise<void> {
  if (IS_ROOT) {
    for (const entry of [dir, ...(await readdir(dir, { recursive: true })).map((e) => path.join(dir, e))]) {
      await chown(entry, 0, 0);
    }
    await chmod(dir, 0o755);
  } else {
    await chmod(dir, 0o555);
  }
}

/** Undo {@link lockDown} so the test's temp directory can be removed. */
export async function unlock(dir: string): Promise<void> {
  await chmod(dir, 0o755);
}
