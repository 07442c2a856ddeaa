import sqlite3

from django.db import DatabaseError


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


# What the commands turn into a CommandError: a message, never a traceback.
OPERATOR_ERRORS = (BackupError, OSError, DatabaseError, sqlite3.Error)
