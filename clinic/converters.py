class IdConverter:
    """Database ids in URLs: digits that fit a 64-bit integer, so a huge id is a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
