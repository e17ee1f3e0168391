"""Parses zedge's /metrics text with Prometheus' Python client (python3-prometheus-client),
to check that a real Prometheus parser accepts it.
Usage: parse_metrics_text.py <print_sample_metrics binary>"""
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
    families = {f.name: f for f in text_string_to_metric_families(text)}

    # The client strips `_total` from a counter family's name; the samples keep it.
    expected_types = {
        "zedge_connections_active": "gauge",
        "zedge_connections_accepted": "counter",
        "zedge_connections_closed": "counter",
        "zedge_requests": "counter",
        "zedge_request_duration_seconds": "histogram",
        "zedge_client_received_bytes": "counter",
        "zedge_client_sent_bytes": "counter",
        "zedge_websocket_messages": "counter",
        "zedge_zhttp_packets": "counter",
        "zedge_credit_stalls": "counter",
        "zedge_handlers_connected": "gauge",
        "zedge_draining": "gauge",
        "zedge_discovered_handlers": "gauge",
        "zedge_discovery_lookups": "counter",
        "zedge_build_info": "gauge",
    }
    assert {n: f.type for n, f in families.items()} == expected_types, families.keys()

    def value(name, **labels):
        for f in families.values():
            for s in f.samples:
                if s.name == name and s.labels == labels:
                    return s.value
        raise AssertionError(f"no sample {name} {labels}")

    assert value("zedge_connections_accepted_total") == 3
    assert value("zedge_requests_total", code_class="2xx") == 1
    assert value("zedge_connections_closed_total", protocol="http", reason="done") == 1
    assert value("zedge_zhttp_packets_total", direction="to_handler", type="keep-alive") == 1
    assert value("zedge_request_duration_seconds_bucket", le="+Inf") == 3
    assert value("zedge_request_duration_seconds_count") == 3
    assert abs(value("zedge_request_duration_seconds_sum") - 1.523) < 1e-9
    assert value("zedge_build_info", version="1.2.3") == 1

    # Histogram buckets must be cumulative and end at +Inf.
    buckets = [s for s in families["zedge_request_duration_seconds"].samples
               if s.name.endswith("_bucket")]
    assert buckets[-1].labels["le"] == "+Inf"
    assert all(a.value <= b.value for a, b in zip(buckets, buckets[1:]))
    print(f"ok: {len(families)} families, "
          f"{sum(len(f.samples) for f in families.values())} samples")


if __name__ == "__main__":
    main()
