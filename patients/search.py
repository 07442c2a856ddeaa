"""Patient search: what a query matches, and the trigram index that serves it on each engine.

A query is folded like the stored key (patients.normalize) and then:
- digits only: the patient number exactly, and from 4 digits part of the phone number;
- 3 or more characters: a substring of any field of the key (full name, given name, their kana,
  the phone digits), never across two fields;
- 1-2 characters: the start of a field ("林" finds 林 花子, "たろ" finds 山田 太郎), since a
  substring that short would match a large part of any clinic and no trigram index can serve it.

The index: on PostgreSQL a pg_trgm GIN index on (clinic_id, search_key) (btree_gin for the clinic
column), which `search_key LIKE '%…%'` uses directly; on SQLite an FTS5 table with the trigram
tokenizer over the patients table's search_key (external content), kept in sync by triggers, whose
matching rowids narrow the query. Both are made by migration 0004; on SQLite a rebuilt patients
table (Django remakes a table to alter it) loses its triggers, so post_migrate puts them back and
rebuilds the index when they were missing (ensure_index).
"""

from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from patients import normalize

MAX_NUMBER_DIGITS = 8
MIN_PHONE_DIGITS = 4
# Folded queries of at most this many characters match the start of a field.
SHORT_QUERY = 2

PG_INDEX = "patient_search_trgm"
FTS_TABLE = "patient_search"

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON patients_patient "
    "USING gin (clinic_id, search_key gin_trgm_ops)",
]
PG_DROP = [f"DROP INDEX IF EXISTS {PG_INDEX}"]

# The clinic and the archive flag ride along unindexed (read from the patients row), so the FTS
# query itself keeps to one clinic's list and can stop after COUNT_CAP + 1 rows.
FTS_COLUMNS = "search_key, clinic_id UNINDEXED, is_archived UNINDEXED"
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({FTS_COLUMNS}, "
    "content='patients_patient', content_rowid='id', tokenize='trigram')"
)
_ROW = "rowid, search_key, clinic_id, is_archived"
FTS_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        "AFTER INSERT ON patients_patient BEGIN "
        f"INSERT INTO {FTS_TABLE}({_ROW}) "
        "VALUES (new.id, new.search_key, new.clinic_id, new.is_archived); END"
    ),
    f"{FTS_TABLE}_delete": (
        "AFTER DELETE ON patients_patient BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, {_ROW}) "
        "VALUES ('delete', old.id, old.search_key, old.clinic_id, old.is_archived); END"
    ),
    f"{FTS_TABLE}_update": (
        "AFTER UPDATE OF search_key, clinic_id, is_archived ON patients_patient BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, {_ROW}) "
        "VALUES ('delete', old.id, old.search_key, old.clinic_id, old.is_archived); "
        f"INSERT INTO {FTS_TABLE}({_ROW}) "
        "VALUES (new.id, new.search_key, new.clinic_id, new.is_archived); END"
    ),
}
FTS_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
FTS_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in FTS_TRIGGERS] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"
]


def create_index(cursor, vendor) -> None:
    if vendor == "postgresql":
        for statement in PG_CREATE:
            cursor.execute(statement)
    elif vendor == "sqlite":
        ensure_index(cursor, vendor, create=True)


def drop_index(cursor, vendor) -> None:
    for statement in {"postgresql": PG_DROP, "sqlite": FTS_DROP}.get(vendor, []):
        cursor.execute(statement)


def ensure_index(cursor, vendor, *, create=False) -> bool:
    """SQLite: where the FTS table exists (or `create`), it and its triggers are all there, and
    the index is rebuilt if anything was missing. Returns whether anything had to be made."""
    if vendor != "sqlite":
        return False
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
        [f"{FTS_TABLE}%"],
    )
    present = {row[0] for row in cursor.fetchall()}
    missing = [name for name in FTS_TRIGGERS if name not in present]
    if (FTS_TABLE in present and not missing) or (FTS_TABLE not in present and not create):
        return False
    cursor.execute(FTS_CREATE)
    for name in missing:
        cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {FTS_TRIGGERS[name]}")
    cursor.execute(FTS_REBUILD)
    return True


def _candidates(text: str, scope, *, number=None):
    """SQLite: the rowids the FTS5 table finds for a substring in the clinic's list (and the
    patient with `number` there), at most `scope.limit` of them; None where the index cannot say
    (or on PostgreSQL, whose planner uses its trigram index for the LIKE itself). A trigram
    match of a pattern without wildcards is exact, so the limit cuts no patient the LIKE would
    have kept: fewer than the limit means all of them."""
    if connection.vendor != "sqlite" or {"%", "_"} & set(text):
        return None
    sql = (
        f"SELECT rowid FROM {FTS_TABLE} WHERE search_key LIKE %s AND clinic_id = %s "
        "AND is_archived = %s LIMIT %s"
    )
    params = [f"%{text}%", scope.clinic_id, scope.archived, scope.limit]
    if number is not None:
        sql = (
            f"SELECT rowid FROM ({sql}) UNION ALL SELECT id FROM patients_patient "
            "WHERE clinic_id = %s AND number = %s"
        )
        params += [scope.clinic_id, number]
    return RawSQL(sql, params)


def _substring(text: str, scope) -> Q:
    match = Q(search_key__contains=text)
    candidates = _candidates(text, scope)
    return match if candidates is None else match & Q(pk__in=candidates)


@dataclass(frozen=True)
class Scope:
    """Which list a search runs in, and how many matches it needs at most."""

    clinic_id: int
    archived: bool
    limit: int


def hint(query: str):
    """What a short query matched, said beside the count; None for the other queries."""
    folded = normalize.fold(query)
    if folded and normalize.digits(query) != folded and len(folded) <= SHORT_QUERY:
        return _(
            "Searches of one or two characters match the start of a name or its kana; "
            "type three or more to search within names."
        )
    if folded and normalize.digits(query) == folded and len(folded) < MIN_PHONE_DIGITS:
        return _("Up to three digits find the patient number only; phone numbers need four.")
    return None


def exact_number(query: str):
    """The patient number a digits-only query names, or None."""
    folded = normalize.fold(query)
    number = normalize.digits(query)
    if folded and number == folded and len(number) <= MAX_NUMBER_DIGITS:
        return int(number)
    return None


def matching(queryset, query: str, scope: Scope):
    """The patients of `queryset` (the list `scope` names) that `query` finds (see the module's
    docstring); on SQLite at most `scope.limit` of them."""
    folded = normalize.fold(query)
    if not folded:
        return queryset
    number = normalize.digits(query)
    if number == folded:
        fits = len(number) <= MAX_NUMBER_DIGITS
        match = Q(number=int(number)) if fits else Q(pk__in=[])
        if len(number) < MIN_PHONE_DIGITS:
            return queryset.filter(match)
        match |= Q(search_key__contains=number)
        # SQLite cannot serve "number = n OR rowid IN (…)" from two indexes: one list of both.
        candidates = _candidates(number, scope, number=int(number) if fits else -1)
        return queryset.filter(match if candidates is None else match & Q(pk__in=candidates))
    if len(folded) <= SHORT_QUERY:
        return queryset.filter(_substring(normalize.FIELD_START + folded, scope))
    return queryset.filter(_substring(folded, scope))


def restore_triggers(sender, using="default", **kwargs) -> None:
    """post_migrate: a migration that remade the patients table on SQLite dropped the triggers."""
    with connections[using].cursor() as cursor:
        ensure_index(cursor, connections[using].vendor)
