"""CSV cells that a spreadsheet will not run. A citizen writes a report's title; an officer opens
the export in a spreadsheet; a title such as ``=HYPERLINK("http://evil", "klik")`` would be a
formula there (CSV injection). Text cells starting with = + - @ or a tab or carriage return get
a leading apostrophe, which spreadsheets show as text. Numbers are left alone."""

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def row(values) -> list:
    return [cell(v) for v in values]
