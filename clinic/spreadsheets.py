"""What every CSV download shares: a pseudo-buffer for streaming rows, and cells that no
spreadsheet runs as a formula."""

# Opened by Excel in Japan as UTF-8 only with a byte-order mark first.
BOM = "\ufeff"


class Echo:
    """A file-like object that hands back what is written (csv.writer into a streaming
    response)."""

    def write(self, value):
        return value


def cell(value):
    """A cell no spreadsheet would run as a formula (a name typed as =HYPERLINK(...)): text
    starting with = + - @ (or a tab or carriage return) gets a leading apostrophe. Integers are
    numbers and stay as they are."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
