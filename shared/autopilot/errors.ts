/** A failure a redelivery of the same event can fix (e.g. the endpoint has no IP yet). */
export class RetryableError extends Error {
  override name = "RetryableError";
}
