from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The demo clinic, seeding, benchmarks and the load run: tooling, not the product.

    `clinic/settings.py` installs it only when `PRODUCTION` is off, so a production deployment has
    none of these commands.
    """

    name = "devtools"
    verbose_name = "Hikagami developer tools"
