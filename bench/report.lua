-- wrk script for bench/run.sh: sends the mock's API key and prints one machine-readable
-- line at the end (totals, latency percentiles in microseconds, errors).
wrk.headers["Authorization"] = "bearer " .. (os.getenv("BENCH_API_KEY") or "ea-mock-key")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d bytes=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d socket_errors=%d timeouts=%d non2xx=%d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect + e.read + e.write, e.timeout, e.status))
end
