import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _rules_read_in_english(request):
    """The rules tests compare wording with the English msgids; the app itself defaults to ja."""
    if request.module.__name__.split(".")[-1].startswith("test_rules_"):
        with translation.override("en"):
            yield
    else:
        yield
