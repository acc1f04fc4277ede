"""Scrapes a node's Prometheus endpoint with Python's own HTTP client, as a scraper would.

Usage: scrape_metrics.py http://127.0.0.1:PORT
Prints the status and Content-Type of GET /metrics, then of GET /other and POST /metrics (each on one line:
"<path> <method> <status> <content-type>"), then "---" and the body of GET /metrics.
"""
import sys
import urllib.error
import urllib.request

base = sys.argv[1]


def fetch(path, method="GET"):
    request = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


status, content_type, body = fetch("/metrics")
print(f"/metrics GET {status} {content_type}")
for path, method in [("/other", "GET"), ("/metrics", "POST")]:
    other_status, other_type, _ = fetch(path, method)
    print(f"{path} {method} {other_status} {other_type}")
print("---")
sys.stdout.write(body)
