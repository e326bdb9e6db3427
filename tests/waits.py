"""How long a test's HTTP request may wait for a server it started.

httpx's default of 5 s is timing slack that a busy machine runs out of: a site's first
read simulates it, and under load that alone took longer. Each test is bounded by
pytest-timeout instead (pyproject.toml), so a request may wait as long as its test may run.
"""

HTTP_TIMEOUT_S = 300.0
