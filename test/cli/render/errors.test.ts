import { describe, expect, it } from "vitest";
import { PLAIN_COLORS } from "../../../src/cli/render/colors.js";
import { renderError } from "../../../src/cli/render/errors.js";
import {
  CfError,
  ExitCode,
  InternalError,
  isErrnoException,
  StorageError,
  UsageError,
} from "../../../src/errors.js";
import { HttpError } from "../../../src/sources/http-error.js";

const plain = PLAIN_COLORS;

describe("renderError and the error hierarchy", () => {
  it("a CfError is one line and a hint, escaped, never a stack", () => {
    const error = new UsageError("bad \u001b[31mflag", { hint: "Use --x." });
    expect(renderError(error, plain, true)).toBe("cf: bad \\x1b[31mflag\nhint: Use --x.\n");
  });

  it("a broken invariant (InternalError) is reported as a bug, with its stack under -v", () => {
    const error = new InternalError("overlapping appends to j");
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(renderError(error, plain)).toBe(
      "cf: unexpected error: overlapping appends to j\nThis is a bug in cf; please report it with the command you ran (add -v for a stack trace).\n",
    );
    expect(renderError(error, plain, true)).toMatch(
      /^cf: unexpected error: InternalError: overlapping appends to j\n\s+at /,
    );
  });

  it("HttpErrors are CfErrors: 75 for a budget or an unreachable API, 1 otherwise; not errno errors", () => {
    const make = (kind: HttpError["kind"]) =>
      new HttpError({ kind, url: "http://h/x", message: `GET x: ${kind}` });
    expect(make("budget_exhausted")).toBeInstanceOf(CfError);
    expect(make("budget_exhausted").exitCode).toBe(ExitCode.tryLater);
    expect(make("unreachable").exitCode).toBe(ExitCode.tryLater);
    expect(make("auth").exitCode).toBe(ExitCode.failure);
    expect(make("transient").code).toBe("E_HTTP_TRANSIENT");
    expect(isErrnoException(make("transient"))).toBe(false);
    expect(isErrnoException(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(true);
    expect(renderError(make("auth"), plain)).toBe("cf: GET x: auth\n");
  });

  it("a failed removal is a StorageError: exit 1", () => {
    expect(new StorageError("could not remove").exitCode).toBe(ExitCode.failure);
  });
});
