"""One date format in every language: ISO 8601 (YYYY-MM-DD, and YYYY-MM-DD HH:MM for a moment).

Django formats dates with the active language's format module, ahead of the settings, so
FORMAT_MODULE_PATH points here and each language the admin or a document speaks has a module
that takes these values (powtracker/formats/<language>/formats.py). Other formats (numbers)
stay the language's own.
"""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
# The date drill-down of a list: months as 2025-01, days as 2025-01-05.
YEAR_MONTH_FORMAT = "Y-m"
MONTH_DAY_FORMAT = "Y-m-d"
# ISO weeks start on Monday (the admin's calendar).
FIRST_DAY_OF_WEEK = 1

# The first of each is how an input shows its value; the others are also accepted.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"]
