/** What a tenant of the sign-in tests' key server (test/key-server.ts) serves. */
/** What a tenant serves; set with `PUT {origin}/__keys`. */
export interface TenantState {
  keys: unknown[];
  /** Cache-Control of the key set answer; none when unset. */
  cacheControl?: string;
  /** Status of the key set answer (200 unless a fault is wanted). */
  status?: number;
  /** A raw body instead of the key set (garbage, on purpose). */
  body?: string;
  /** A Location to redirect to, with status 302. */
  redirect?: string;
  /**
   * A hung key server: requests for the key set get no answer at all until a later
   * `PUT /__keys` without `hang`, which answers them with that state.
   */
  hang?: boolean;
}
