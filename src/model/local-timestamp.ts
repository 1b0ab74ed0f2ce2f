/**
 * A naive local-time ISO timestamp like Python's `datetime.isoformat()` (`YYYY-MM-DDTHH:MM:SS[.ffffff]`,
 * microseconds only when non-zero), the form of every record timestamp (reference §2.1): the sources
 * use it too. Local time, as the Python tool wrote them.
 */
export function formatLocalTimestamp(date: Date): string {
  const p = (n: number, width = 2) => String(n).padStart(width, "0");
  const day = `${p(date.getFullYear(), 4)}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
  const time = `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
  const ms = date.getMilliseconds();
  return `${day}T${time}${ms === 0 ? "" : `.${p(ms * 1000, 6)}`}`;
}
