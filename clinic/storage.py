"""Static files in production: WhiteNoise's hashed, compressed copies made by collectstatic."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """A name that collectstatic never saw gives its plain URL (a broken image), not an error.

    Drawings are named by database rows (the clinic's library, published plans' snapshots), and a
    snapshot keeps its name even if a later release renames the file. The manifest storage would
    raise ValueError while rendering the page: a 500 in production only, since tests and DEBUG
    use Django's default storage."""

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
