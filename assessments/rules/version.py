# Stored with every screening and published plan; bump it whenever a rule, threshold or label
# that changes an outcome is edited, so a stored result can say which rules produced it.
RULES_VERSION = "2026.12-1"
