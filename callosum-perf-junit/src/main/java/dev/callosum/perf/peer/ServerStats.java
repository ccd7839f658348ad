package dev.callosum.perf.peer;

import org.apiguardian.api.API;

/**
 * What a server has done so far, and what it still holds. After a benchmark, {@code pending} and
 * {@code keyQueues} must be zero: anything else is a leak.
 *
 * @param requests FUNCTION messages received
 * @param replies replies sent
 * @param malformed messages dropped because they could not be decoded
 * @param ignored messages of no concern to a server (unknown type frames, replies, NULL)
 * @param cancels CANCEL messages received
 * @param pending requests waiting or running now
 * @param keyQueues order keys with requests waiting or running now (key-serialized scheduler)
 * @param zapDenied CURVE clients the authenticator refused
 * @param lastMalformed why the last malformed message was dropped, or {@code null}
 * @since 0.1
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public record ServerStats(
    long requests,
    long replies,
    long malformed,
    long ignored,
    long cancels,
    int pending,
    int keyQueues,
    long zapDenied,
    String lastMalformed) {}
