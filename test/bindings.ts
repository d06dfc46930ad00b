/** Test-only values for the Worker's secrets; never used outside the test runner. */
export const TEST_BINDINGS = {
  WAHA_API_KEY: "test-waha-key",
  JWT_SECRET: "test-jwt-secret-0123456789abcdef",
  WAHA_WEBHOOK_HMAC_KEY: "test-webhook-hmac-key-0123456789",
  HTTP_LOG: "none",
} as const;
