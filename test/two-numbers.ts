/** The test files that serve two numbers, and their numbers (read by the config and the tests). */
/** A number of a two-number file: its WAHA session and webhook key (its URL is its simulator's). */
export interface TestNumber {
  id: string;
  name: string;
  session: string;
  webhookHmacKey: string;
}

/**
 * Files that serve two numbers (WAHA_NUMBERS), each on a WAHA simulator of its own: the
 * first number's runs the file's simulator, the second a second one. Their session names
 * differ from their ids, so a store key sent to WAHA (or a session used as a key) shows.
 */
export const TWO_NUMBER_FILES: Record<string, [TestNumber, TestNumber]> = {
  "test/numbers.test.ts": [
    {
      id: "sales",
      name: "Sales",
      session: "sales-wa",
      webhookHmacKey: "sales-webhook-key-0123456789",
    },
    {
      id: "support",
      name: "Support",
      session: "support-wa",
      webhookHmacKey: "support-webhook-key-0123456789",
    },
  ],
};
