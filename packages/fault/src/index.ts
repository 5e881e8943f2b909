/**
 * Loopback servers that misbehave on purpose: blackhole, silent, slow, reset, flaky, refused.
 *
 * @since 0.1.0
 */
export * as FaultServer from "./FaultServer.ts"
