/** WAHA's message ack numbers and their names, for the webhook receiver. */
export const ACK_NAMES: Readonly<Record<number, string>> = {
  [-1]: "ERROR",
  0: "PENDING",
  1: "SERVER",
  2: "DEVICE",
  3: "READ",
  4: "PLAYED",
};
