/**
 * What the SessionWatch object answers: whether the WhatsApp session is SILENT (WORKING by its
 * own word while its webhooks have stopped), since when and why, and its automatic restarts.
 */

/** Why the session was found silent. */
export type SilenceReason =
  /** A send WAHA took was followed by no webhook at all within WAHA_SILENCE_MS. */
  | "no-echo"
  /** A reconcile found messages in WAHA that no webhook had announced. */
  | "unannounced";

export interface SilenceState {
  silent: boolean;
  /** ISO time it was found silent; null while it is not. */
  since: string | null;
  reason: SilenceReason | null;
  /** A sentence for people (logs, /admin). */
  detail: string | null;
  /** ISO time of the last verified webhook for this session; null: none heard. */
  lastWebhookAt: string | null;
  /** ISO time of the oldest send WAHA took that no webhook has followed yet. */
  waitingSince: string | null;
  restarts: {
    /** WAHA_AUTO_RESTART is on. */
    auto: boolean;
    /** Restarts the gateway asked of WAHA in the last hour, and the most it may. */
    lastHour: number;
    max: number;
    lastAt: string | null;
    /** When the next one may go, while the session stays silent. */
    nextAt: string | null;
  };
}
