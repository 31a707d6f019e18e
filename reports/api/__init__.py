"""The partner API's doors of the reports app: the statistics (statistics.py) and the captive
export (exports.py)."""
