// Injected failures: latency, hangs, error statuses and cut-off bodies, matched by endpoint or path prefix.
import { type Endpoint, isEndpoint } from "./stats.ts";

export interface Fault {
  id: string;
  endpoint?: Endpoint;
  path?: string;
  latencyMs?: number;
  hang?: boolean;
  status?: number;
  resetAfterBytes?: number;
  /** Sent as Location with a 3xx status: a WAHA (or a proxy before it) that redirects. */
  location?: string;
  probability: number;
  /** Applications left; absent means unlimited. */
  times?: number;
  /**
   * The call is carried out first (a send is taken, its message stored and echoed), and only
   * its answer meets the fault: hangs, comes late, is cut, or is replaced by `status`.
   */
  afterTaking?: boolean;
}

function optionalNumber(
  value: unknown,
  name: string,
  min: number,
  max: number,
): number | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    return `${name} must be a number from ${min} to ${max}`;
  }
  return value;
}

/** Returns the fault (without id) or an error message naming the bad field. */
export function parseFault(input: unknown): Omit<Fault, "id"> | string {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return "body must be a JSON object";
  const raw = input as Record<string, unknown>;
  const fault: Omit<Fault, "id"> = { probability: 1 };
  if (raw.endpoint !== undefined) {
    if (!isEndpoint(raw.endpoint)) return "endpoint is not a known endpoint name";
    fault.endpoint = raw.endpoint;
  }
  if (raw.path !== undefined) {
    if (typeof raw.path !== "string" || !raw.path.startsWith("/"))
      return "path must be a string starting with /";
    fault.path = raw.path;
  }
  if (raw.location !== undefined) {
    if (typeof raw.location !== "string" || raw.location === "")
      return "location must be a non-empty string";
    fault.location = raw.location;
  }
  if (raw.hang !== undefined) {
    if (typeof raw.hang !== "boolean") return "hang must be a boolean";
    fault.hang = raw.hang;
  }
  if (raw.afterTaking !== undefined) {
    if (typeof raw.afterTaking !== "boolean") return "afterTaking must be a boolean";
    fault.afterTaking = raw.afterTaking;
  }
  const numbers: [keyof Fault, number, number][] = [
    ["latencyMs", 0, 600_000],
    ["status", 100, 599],
    ["resetAfterBytes", 0, Number.MAX_SAFE_INTEGER],
    ["probability", 0, 1],
    ["times", 1, Number.MAX_SAFE_INTEGER],
  ];
  for (const [name, min, max] of numbers) {
    const value = optionalNumber(raw[name], name, min, max);
    if (typeof value === "string") return value;
    if (value !== undefined) Object.assign(fault, { [name]: value });
  }
  if (
    !fault.latencyMs &&
    !fault.hang &&
    fault.status === undefined &&
    fault.resetAfterBytes === undefined
  ) {
    return "a fault needs latencyMs, hang, status or resetAfterBytes";
  }
  return fault;
}

export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  add(fault: Omit<Fault, "id">): string {
    const id = `f${this.nextId++}`;
    this.faults.push({ ...fault, id });
    return id;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** First fault that matches and wins its dice roll; each use spends one of its `times`. */
  take(endpoint: Endpoint, path: string): Fault | undefined {
    for (const fault of this.faults) {
      if (fault.endpoint !== undefined && fault.endpoint !== endpoint) continue;
      if (fault.path !== undefined && !path.startsWith(fault.path)) continue;
      if (fault.probability < 1 && Math.random() >= fault.probability) continue;
      if (fault.times !== undefined) {
        fault.times--;
        if (fault.times <= 0) this.remove(fault.id);
      }
      return { ...fault };
    }
    return undefined;
  }
}
