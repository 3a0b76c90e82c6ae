# The mixed data set of test_indicators (transfers, reopenings, rejections over two years) is
# shared with the dashboard page tests.
from tests.monitoring.test_indicators import mixed  # noqa: F401
