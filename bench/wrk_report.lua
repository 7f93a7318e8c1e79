-- Used by bench/servers.py: after a wrk run, print one JSON line with the figures it reads.
-- Latencies are in microseconds; `status` counts responses that were not 2xx or 3xx.
done = function(summary, latency, requests)
  io.write(string.format(
    '\nWRK_REPORT {"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p95":%d,"p99":%d,"max":%d}}\n',
    summary.duration, summary.requests, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
